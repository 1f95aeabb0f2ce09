import Synchronization

/// Events whose cached seats may be wrong because an update to the cache failed.
public final class StaleEvents: Sendable {
    private let events = Mutex<Set<Int64>>([])

    public init() {}

    public func insert(_ eventID: Int64) { _ = events.withLock { $0.insert(eventID) } }
    public func remove(_ eventID: Int64) { _ = events.withLock { $0.remove(eventID) } }
    public func contains(_ eventID: Int64) -> Bool { events.withLock { $0.contains(eventID) } }
}
