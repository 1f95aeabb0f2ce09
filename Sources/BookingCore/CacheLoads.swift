import Synchronization

/// Loads of events' seat state into the cache, one at a time per event in this process. The
/// requests that find an event cold together wait for one load, instead of each reading every
/// holder from the store and writing them all to the cache: for an event of 120,000 bookings
/// that herd (64 requests at once) held Redis up for over a second, and every request then fell
/// back to the store alone.
final class CacheLoads: Sendable {
    private let running = Mutex<[Int64: Task<Void, any Error>]>([:])

    /// Runs `load` for `eventID`, or, when a load of that event is already under way, waits for
    /// it instead; either way returns or throws what that load did.
    ///
    /// The load runs as a task of its own, so that a caller that goes away (its client hung up)
    /// does not cancel it for the others waiting on it.
    func load(eventID: Int64, _ load: @escaping @Sendable () async throws -> Void) async throws {
        let task = running.withLock { running in
            if let underway = running[eventID] { return underway }
            let task = Task {
                // Only this load is in the table for its event until it ends, so it removes itself.
                defer { self.running.withLock { _ = $0.removeValue(forKey: eventID) } }
                try await load()
            }
            running[eventID] = task
            return task
        }
        try await task.value
    }
}
