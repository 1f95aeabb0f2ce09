import AsyncHTTPClient
import CoreMetrics
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Synchronization
import Telemetry
import Testing

/// The exporter and the worker's metrics server, each test with a registry of its own (the
/// global `MetricsSystem` is never bootstrapped here).
@Suite("Prometheus exporter and metrics server")
struct PrometheusExporterTests {
    let exporter = PrometheusExporter()

    func text() async -> String { String(decoding: await exporter.exposition(), as: UTF8.self) }

    @Test func handlesMadeWithTheFactoryAppearInTheExposition() async {
        let consumed = Counter(label: "booking_messages_consumed_total", factory: exporter.factory)
        consumed.increment(by: 3)
        let latency = Timer(label: "webhook_duration_seconds", dimensions: [("target", "hook")], factory: exporter.factory)
        latency.recordMilliseconds(3)
        let lines = await text().split(separator: "\n")
        #expect(lines.contains("# TYPE booking_messages_consumed_total counter"))
        #expect(lines.contains("booking_messages_consumed_total 3"))
        #expect(lines.contains(#"webhook_duration_seconds_bucket{target="hook",le="0.0025"} 0"#))
        #expect(lines.contains(#"webhook_duration_seconds_bucket{target="hook",le="0.005"} 1"#))
        #expect(lines.contains(#"webhook_duration_seconds_count{target="hook"} 1"#))
    }

    @Test func exportersDoNotShareValues() async {
        let other = PrometheusExporter()
        Counter(label: "shared_name_total", factory: other.factory).increment()
        #expect(await text().contains("shared_name_total") == false)
    }

    @Test func refreshersRunBeforeEveryScrape() async {
        let scrapes = Atomic<Int>(0)
        let gauge = Gauge(label: "scrapes_seen", factory: exporter.factory)
        exporter.refreshBeforeEachScrape {
            gauge.record(scrapes.add(1, ordering: .relaxed).newValue)
        }
        #expect(await text().contains("scrapes_seen 1.0"))
        #expect(await text().contains("scrapes_seen 2.0"))
    }

    @Test func theMetricsServerServesMetricsAndLiveness() async throws {
        Counter(label: "booking_messages_retried_total", factory: exporter.factory).increment()
        let server = MetricsServer(exporter: exporter, configuration: .init(port: 0), logger: Logger(label: "metrics-test"))
        try await server.makeApplication().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4")
                #expect(String(buffer: response.body).contains("booking_messages_retried_total 1"))
            }
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test func theMetricsServerRunsInAServiceGroupAndStopsWithIt() async throws {
        Counter(label: "booking_messages_dead_lettered_total", factory: exporter.factory).increment()
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: "metrics-test")
        let server = MetricsServer(exporter: exporter, configuration: .init(port: 0), logger: logger) { announce.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type") == "text/plain; version=0.0.4")
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(body.contains("booking_messages_dead_lettered_total 1"))
        } catch {
            Issue.record("scraping the metrics server failed: \(error)")
        }
        try await http.shutdown()
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func theMetricsPortComesFromTheEnvironment() throws {
        let defaults = try MetricsServer.Configuration(environment: [:])
        #expect(defaults.host == "127.0.0.1" && defaults.port == 9464)
        let given = try MetricsServer.Configuration(environment: ["METRICS_PORT": "9100", "METRICS_HOST": "0.0.0.0"])
        #expect(given.host == "0.0.0.0" && given.port == 9100)
        #expect(throws: MetricsServer.Invalid.self) { try MetricsServer.Configuration(environment: ["METRICS_PORT": "http"]) }
        #expect(throws: MetricsServer.Invalid.self) { try MetricsServer.Configuration(environment: ["METRICS_PORT": "70000"]) }
    }
}
