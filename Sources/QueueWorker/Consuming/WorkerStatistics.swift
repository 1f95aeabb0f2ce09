import CoreMetrics
import Synchronization

/// Running counts of what the worker did, for logs and tests, each also a Prometheus counter
/// (docs/api.md names the first three: consumed, retried, dead-lettered).
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

        var metricLabel: String {
            switch self {
            case .consumed: "booking_messages_consumed_total"
            case .retried: "booking_messages_retried_total"
            case .deadLettered: "booking_messages_dead_lettered_total"
            case .recorded: "booking_notifications_recorded_total"
            case .duplicate: "booking_messages_duplicate_total"
            case .delivered: "booking_webhook_delivered_total"
            case .transientFailure: "booking_worker_transient_failures_total"
            }
        }
    }

    private let counters: [Counter]

    /// - Parameter factory: where the counters go; the global `MetricsSystem` when nil.
    init(factory: (any MetricsFactory)? = nil) {
        counters = Event.allCases.map { event in
            if let factory { Counter(label: event.metricLabel, factory: factory) } else { Counter(label: event.metricLabel) }
        }
    }

    /// A few counts per message, far below where a lock would show.
    private let counts = Mutex([Int](repeating: 0, count: Event.allCases.count))

    func count(_ event: Event, by amount: Int = 1) {
        counts.withLock { $0[event.rawValue] += amount }
        counters[event.rawValue].increment(by: Int64(amount))
    }

    subscript(event: Event) -> Int {
        counts.withLock { $0[event.rawValue] }
    }
}
