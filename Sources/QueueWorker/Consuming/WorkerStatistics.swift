import Synchronization

/// Running counts of what the worker did, for logs, tests and metrics.
final class WorkerStatistics: Sendable {
    enum Event: Int, CaseIterable, Sendable {
        /// A delivery handled to the end (acknowledged, or dead-lettered then acknowledged).
        case consumed
        /// A notification recorded for the first time.
        case recorded
        /// A delivery whose message had been handled before: nothing done again.
        case duplicate
        /// A webhook POST accepted.
        case delivered
        /// A webhook attempt after a failed one.
        case retried
        /// A message sent to the dead-letter queue (malformed, or out of webhook attempts).
        case deadLettered
        /// A handling failure that will be retried (database or broker away).
        case transientFailure
    }

    /// A few counts per message, far below where a lock would show.
    private let counts = Mutex([Int](repeating: 0, count: Event.allCases.count))

    func count(_ event: Event) {
        counts.withLock { $0[event.rawValue] += 1 }
    }

    subscript(event: Event) -> Int {
        counts.withLock { $0[event.rawValue] }
    }
}
