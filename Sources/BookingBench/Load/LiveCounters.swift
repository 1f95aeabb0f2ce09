import Synchronization

/// Totals that the progress line reads every second while the event loops write them.
final class LiveCounters: Sendable {
    private let answeredCount = Atomic<Int>(0)
    private let failureCount = Atomic<Int>(0)

    /// Counts an answer; `failed` when it was unexpected.
    func answered(failed: Bool) {
        answeredCount.wrappingAdd(1, ordering: .relaxed)
        if failed { failureCount.wrappingAdd(1, ordering: .relaxed) }
    }

    /// Counts a request that got no answer (or a failed connection attempt).
    func transportError() { failureCount.wrappingAdd(1, ordering: .relaxed) }

    var answered: Int { answeredCount.load(ordering: .relaxed) }
    var failures: Int { failureCount.load(ordering: .relaxed) }
}
