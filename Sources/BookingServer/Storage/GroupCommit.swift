import Synchronization

/// Writes that reach the store together, written together: each caller's item waits in a queue,
/// and a writer takes whatever waits, up to `maxGroup` items, into one write, then answers each
/// item with its own outcome. At most `maxWriters` writes are in flight; a writer that finds the
/// queue empty stops. No timer: under a light load an item is written alone at once, and a group
/// is what gathered while the writers were busy.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    /// One write of a group: an outcome for each item, in their order.
    typealias Write = @Sendable ([Item]) async -> [Result<Outcome, any Error>]

    private struct Waiting {
        let item: Item
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        var writers = 0
    }

    let maxGroup: Int
    let maxWriters: Int
    private let write: Write
    private let state = Mutex(State())
    /// Each group's size, as it is written (for the metrics).
    private let observe: @Sendable (Int) -> Void

    init(maxGroup: Int, maxWriters: Int, observe: @escaping @Sendable (Int) -> Void = { _ in }, write: @escaping Write) {
        precondition(maxGroup > 0 && maxWriters > 0)
        self.maxGroup = maxGroup
        self.maxWriters = maxWriters
        self.observe = observe
        self.write = write
    }

    /// Items waiting for a writer now (for tests and the curious).
    var waiting: Int { state.withLock { $0.queue.count } }

    /// The item's outcome, once the group it joined is written.
    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let startsWriter = state.withLock { state in
                state.queue.append(Waiting(item: item, continuation: continuation))
                guard state.writers < maxWriters else { return false }
                state.writers += 1
                return true
            }
            if startsWriter { Task { await self.drain() } }
        }
    }

    /// Groups until the queue is empty; the writer stops under the same lock that found it so, so
    /// no item is left waiting without a writer.
    private func drain() async {
        while let group = nextGroup() {
            observe(group.count)
            let outcomes = await write(group.map(\.item))
            for (index, waiting) in group.enumerated() {
                waiting.continuation.resume(with: index < outcomes.count ? outcomes[index] : .failure(GroupCommitError.noOutcome))
            }
        }
    }

    private func nextGroup() -> [Waiting]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.writers -= 1
                return nil
            }
            let count = min(maxGroup, state.queue.count)
            let group = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return group
        }
    }
}

enum GroupCommitError: Error {
    /// A write answered fewer items than it was given (a bug of the write).
    case noOutcome
}
