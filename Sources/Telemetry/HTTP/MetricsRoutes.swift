import Hummingbird

/// `GET /metrics`: the exporter's registry as Prometheus text.
public struct MetricsRoutes: Sendable {
    public let exporter: PrometheusExporter

    public init(exporter: PrometheusExporter) {
        self.exporter = exporter
    }

    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/metrics") { _, _ in await scrape() }
    }

    public func scrape() async -> Response {
        Response(
            status: .ok,
            headers: [.contentType: PrometheusExporter.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: await exporter.exposition()))
        )
    }
}
