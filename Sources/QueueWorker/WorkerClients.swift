import AMQP
import AsyncHTTPClient
import Logging
import Postgres
import ServiceLifecycle

/// The worker's clients of PostgreSQL, RabbitMQ and the webhook, as one service that closes them
/// after the consumer has stopped (services stop in reverse order).
struct WorkerClients: Service {
    let postgres: PostgresClient
    let amqp: AMQPClient
    /// Nil without a webhook.
    let http: HTTPClient?

    init(configuration: WorkerConfiguration, logger: Logger) throws {
        postgres = PostgresClient(configuration: try PostgresConfiguration(
            url: configuration.databaseURL, applicationName: "queue-worker",
            pool: .init(maximumConnections: configuration.databaseConnections, acquireTimeout: .seconds(5))
        ), logger: logger)
        amqp = AMQPClient(
            configuration: try AMQPConfiguration(url: configuration.amqpURL, connectionName: "queue-worker"),
            topology: configuration.topology.declarations,
            // Short, so that a worker waiting for the broker notices a SIGTERM soon.
            connectionWaitTimeout: .seconds(2),
            logger: logger
        )
        http = configuration.webhookURL == nil ? nil : HTTPClient(eventLoopGroupProvider: .singleton)
    }

    func run() async throws {
        await amqp.start()
        try? await gracefulShutdown()
        await close()
    }

    func close() async {
        postgres.close()
        await amqp.close()
        try? await http?.shutdown()
    }
}
