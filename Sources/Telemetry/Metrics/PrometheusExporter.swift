import CoreMetrics
import Prometheus
import Synchronization

/// A process's metrics, kept in a Prometheus registry and rendered in its text exposition
/// format. Code creates its handles (swift-metrics `Counter`, `Timer`, `Gauge`) once, with
/// ``factory``, and updates them on the hot path without any lookup by name.
///
/// Values that are cheaper to read when asked than to track on every change (a pool's
/// statistics, a table's backlog) are refreshed by closures registered with
/// ``refreshBeforeEachScrape(_:)``.
///
/// Each test builds its own exporter; a process bootstraps one for swift-metrics' global
/// `MetricsSystem` with ``ProcessTelemetry/bootstrap(logFormat:logLevel:)``.
public final class PrometheusExporter: Sendable {
    /// The exposition format's media type, for the `Content-Type` of `/metrics`.
    public static let contentType = "text/plain; version=0.0.4"

    /// Request latencies sit between a fraction of a millisecond and a timeout; swift-prometheus's
    /// default starts at 5 ms, which would put every healthy request in its first bucket.
    public static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .microseconds(2_500_000), .seconds(5), .seconds(10),
    ]

    public let registry: PrometheusCollectorRegistry
    /// Makes handles that land in ``registry``.
    public let factory: any MetricsFactory
    private let refreshers = Mutex<[@Sendable () async -> Void]>([])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.factory = factory
    }

    /// Runs `refresh` before every rendering, e.g. to set a gauge from a snapshot. Refreshers
    /// run one after another and should be quick; one that needs I/O bounds its own wait.
    public func refreshBeforeEachScrape(_ refresh: @escaping @Sendable () async -> Void) {
        refreshers.withLock { $0.append(refresh) }
    }

    /// The registry in the text exposition format, after running the refreshers.
    public func exposition() async -> [UInt8] {
        for refresh in refreshers.withLock({ $0 }) { await refresh() }
        return registry.emitToBuffer()
    }
}
