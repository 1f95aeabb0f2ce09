import BookingSchema
import CoreMetrics
import Logging
import NIOCore
import ServiceLifecycle
import Telemetry
import UnixSignals

/// The worker's long-running pieces, built from its configuration; tests build the same.
struct Worker {
    let clients: WorkerClients
    let consumer: NotificationConsumer
    /// `/metrics` and `/health/live` on `METRICS_PORT`; nil in tests.
    var metricsServer: MetricsServer?

    /// Opens the clients and brings the schema up to date (the worker's tables are in it).
    /// `unixTime` is the clock of the webhook signatures (a test's own in tests).
    static func build(
        configuration: WorkerConfiguration, logger: Logger, metricsFactory: (any MetricsFactory)? = nil,
        unixTime: @escaping @Sendable () -> Int64 = WebhookSigner.systemTime
    ) async throws -> Worker {
        let clients = try WorkerClients(configuration: configuration, logger: logger)
        do {
            try await Migrator(client: clients.postgres, logger: logger).migrate()
        } catch {
            await clients.close()
            throw error
        }
        let webhook = zip(configuration.webhookURL, clients.http).map { url, http in
            HTTPWebhookSender(
                url: url, client: http, timeout: TimeAmount(configuration.webhookTimeout),
                signer: configuration.webhookSecret.map { WebhookSigner(secret: $0, now: unixTime) }
            )
        }
        let handler = NotificationHandler(
            ledger: PostgresNotificationLedger(client: clients.postgres),
            webhook: webhook,
            retryPolicy: configuration.retryPolicy,
            statistics: WorkerStatistics(factory: metricsFactory),
            pause: { delay in try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) } }
        )
        let consumer = NotificationConsumer(
            amqp: clients.amqp, topology: configuration.topology, handler: handler,
            prefetch: UInt16(configuration.prefetch), lanes: configuration.concurrency, logger: logger
        )
        return Worker(clients: clients, consumer: consumer)
    }

    /// Stopped in reverse order on SIGTERM or SIGINT: the metrics server, the consumer, then
    /// the clients.
    func serviceGroup(logger: Logger, signals: [UnixSignal] = [.sigterm, .sigint]) -> ServiceGroup {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: clients), .init(service: consumer)]
        if let metricsServer { services.append(.init(service: metricsServer)) }
        return ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: signals,
            logger: logger
        ))
    }
}

/// Both values, when both are there.
private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
