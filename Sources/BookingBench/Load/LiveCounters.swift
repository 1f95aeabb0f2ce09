import Synchronization

/// Totals that the progress line reads every second while the event loops write them.
final class LiveCounters: Sendable {
    private let answeredCount = Atomic<Int>(0)
    private let unexpectedCount = Atomic<Int>(0)
    private let transportErrorCount = Atomic<Int>(0)

    /// Counts an answer; `failed` when it was unexpected.
    func answered(failed: Bool) {
        answeredCount.wrappingAdd(1, ordering: .relaxed)
        if failed { unexpectedCount.wrappingAdd(1, ordering: .relaxed) }
    }

    /// Counts a request that got no answer (or a failed connection attempt).
    func transportError() { transportErrorCount.wrappingAdd(1, ordering: .relaxed) }

    var answered: Int { answeredCount.load(ordering: .relaxed) }
    /// Answers of a status the scenario does not expect (a 503 in a flash sale).
    var unexpected: Int { unexpectedCount.load(ordering: .relaxed) }
    var transportErrors: Int { transportErrorCount.load(ordering: .relaxed) }
}
