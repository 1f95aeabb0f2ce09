import ConnectionPool
import CoreMetrics
import Synchronization

/// A connection pool's state, read at scrape time from its statistics (nothing on the hot path):
/// gauges `connection_pool_connections{pool,state}` (`in_use`, `idle`) and
/// `connection_pool_waiting{pool}`; counters `connection_pool_acquisitions_total{pool}`,
/// `connection_pool_acquire_waits_total{pool}` (acquisitions that had to wait),
/// `connection_pool_acquire_wait_seconds_total{pool}` (their time in line, so the mean wait per
/// acquisition is one rate divided by another) and `connection_pool_acquire_timeouts_total{pool}`.
final class PoolMetrics: Sendable {
    private let inUse: Gauge
    private let idle: Gauge
    private let waiting: Gauge
    private let acquisitions: Counter
    private let waits: Counter
    private let waitSeconds: FloatingPointCounter
    private let timeouts: Counter
    /// The totals at the previous scrape: counters only go up, by the difference.
    private let reported = Mutex(AcquireStatistics())

    init(pool: String, factory: any MetricsFactory) {
        let name = [("pool", pool)]
        inUse = Gauge(label: "connection_pool_connections", dimensions: name + [("state", "in_use")], factory: factory)
        idle = Gauge(label: "connection_pool_connections", dimensions: name + [("state", "idle")], factory: factory)
        waiting = Gauge(label: "connection_pool_waiting", dimensions: name, factory: factory)
        acquisitions = Counter(label: "connection_pool_acquisitions_total", dimensions: name, factory: factory)
        waits = Counter(label: "connection_pool_acquire_waits_total", dimensions: name, factory: factory)
        waitSeconds = FloatingPointCounter(label: "connection_pool_acquire_wait_seconds_total", dimensions: name, factory: factory)
        timeouts = Counter(label: "connection_pool_acquire_timeouts_total", dimensions: name, factory: factory)
    }

    func update<Connection>(_ statistics: ConnectionPool<Connection>.Statistics, _ totals: AcquireStatistics) {
        inUse.record(statistics.inUse)
        idle.record(statistics.idle)
        waiting.record(statistics.waiting)
        reported.withLock { reported in
            acquisitions.increment(by: Int64(totals.acquisitions &- reported.acquisitions))
            waits.increment(by: Int64(totals.waitedAcquisitions &- reported.waitedAcquisitions))
            let wait = totals.totalWait - reported.totalWait
            waitSeconds.increment(by: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            timeouts.increment(by: Int64(totals.timeouts &- reported.timeouts))
            reported = totals
        }
    }
}
