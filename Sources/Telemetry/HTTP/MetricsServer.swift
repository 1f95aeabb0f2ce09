import Hummingbird
import Logging
import ServiceLifecycle

/// A tiny HTTP server for a process that has no HTTP API of its own (the queue worker):
/// `GET /metrics` and `GET /health/live` on `METRICS_HOST:METRICS_PORT`. A `Service`: add it to
/// the process's `ServiceGroup`, which stops it on graceful shutdown.
public struct MetricsServer: Service {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 9464) {
            self.host = host
            self.port = port
        }

        /// `METRICS_HOST` (127.0.0.1) and `METRICS_PORT` (9464, 0 for any free port); a malformed
        /// value is an error that names the variable.
        public init(environment: [String: String]) throws(Invalid) {
            self.init()
            if let host = environment["METRICS_HOST"], !host.isEmpty { self.host = host }
            if let text = environment["METRICS_PORT"], !text.isEmpty {
                guard let port = Int(text), (0...65535).contains(port) else {
                    throw Invalid(description: "METRICS_PORT must be a whole number from 0 to 65535, not \"\(text)\"")
                }
                self.port = port
            }
        }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public let exporter: PrometheusExporter
    public let configuration: Configuration
    public let logger: Logger
    private let onServerRunning: @Sendable (Int) async -> Void

    /// - Parameter onServerRunning: called with the bound port once the server listens (useful
    ///   with port 0).
    public init(
        exporter: PrometheusExporter, configuration: Configuration, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.exporter = exporter
        self.configuration = configuration
        self.logger = logger
        self.onServerRunning = onServerRunning
    }

    public func run() async throws {
        try await makeApplication().run()
    }

    /// The server as a Hummingbird application, which tests drive with HummingbirdTesting.
    public func makeApplication() -> some ApplicationProtocol {
        let router = Router()
        MetricsRoutes(exporter: exporter).add(to: router)
        router.get("/health/live") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        let onServerRunning = self.onServerRunning
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "metrics"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
