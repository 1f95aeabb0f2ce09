import AMQP
import BookingCore
import BookingSchema
import Hummingbird
import Logging
import Postgres
import Redis
import ServiceLifecycle

/// Builds the whole server from its configuration: the clients, the migrated schema, the
/// routes. Tests build the same application and drive it without a socket.
func buildApplication(configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let clients = try StoreClients(configuration: configuration, logger: logger)
    do {
        try await Migrator(client: clients.postgres, logger: logger).migrate()
    } catch {
        await clients.close()
        throw error
    }
    let relay = OutboxRelay(postgres: clients.postgres, amqp: clients.amqp, logger: logger)
    let router = buildRouter(
        clients: clients, configuration: configuration, logger: logger, observer: RelayWakingObserver(relay: relay)
    )
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "BookingServer"),
        // Stopped in reverse order: the HTTP server, then the relay, then the clients.
        services: [clients, relay],
        logger: logger
    )
}

func buildRouter(
    clients: StoreClients, configuration: ServerConfiguration, logger: Logger,
    observer: any ReservationObserver = NoReservationObserver()
) -> Router<BasicRequestContext> {
    let service = BookingService(
        store: PostgresBookingStore(client: clients.postgres),
        cache: RedisSeatCache(client: clients.redis),
        observer: observer,
        logger: logger
    )
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorEnvelopeMiddleware())
    BookingRoutes(service: service, idempotency: IdempotencyStore(client: clients.postgres)).add(to: router)
    EventRoutes(service: service, adminToken: configuration.adminToken).add(to: router)
    HealthRoutes(checker: HealthChecker(postgres: clients.postgres, redis: clients.redis, amqp: clients.amqp)).add(to: router)
    router.refuseOtherMethods("/api/bookings/reserve", allowing: [.post])
    router.refuseOtherMethods("/api/bookings/user/{user_id}", allowing: [.get])
    router.refuseOtherMethods("/api/bookings/{booking_id}", allowing: [.get, .delete])
    router.refuseOtherMethods("/api/events", allowing: [.get, .post])
    router.refuseOtherMethods("/api/events/{event_id}", allowing: [.get])
    for path: RouterPath in ["/health", "/api/bookings/health", "/health/live"] {
        router.refuseOtherMethods(path, allowing: [.get])
    }
    return router
}

/// The clients of PostgreSQL, Redis and RabbitMQ, as one service: it closes them when the
/// server has stopped (services stop in reverse order, the HTTP server first).
struct StoreClients: Service {
    let postgres: PostgresClient
    let redis: RedisClient
    let amqp: AMQPClient

    init(configuration: ServerConfiguration, logger: Logger) throws {
        // Short connect and acquire limits: with PostgreSQL gone, a request answers 503 within 2 s.
        postgres = PostgresClient(configuration: try PostgresConfiguration(
            url: configuration.databaseURL, applicationName: "booking-server", connectTimeout: .milliseconds(800),
            pool: .init(maximumConnections: configuration.databaseConnections, acquireTimeout: .milliseconds(1000))
        ), logger: logger)
        var redisConfiguration = try RedisConfiguration(url: configuration.redisURL)
        redisConfiguration.maximumConnections = configuration.redisConnections
        redisConfiguration.connectTimeout = .milliseconds(500)
        redisConfiguration.commandTimeout = .milliseconds(1000)
        redis = RedisClient(configuration: redisConfiguration, logger: logger)
        amqp = AMQPClient(
            configuration: try AMQPConfiguration(url: configuration.amqpURL, connectionName: "booking-server"),
            topology: BookingTopology.publisher, connectionWaitTimeout: .milliseconds(500), logger: logger
        )
    }

    func run() async throws {
        await amqp.start()
        try? await gracefulShutdown()
        await close()
    }

    func close() async {
        postgres.close()
        redis.close()
        await amqp.close()
    }
}
