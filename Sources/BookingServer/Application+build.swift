import AMQP
import BookingCore
import BookingSchema
import Hummingbird
import Logging
import Postgres
import Redis
import ServiceLifecycle
import Telemetry

/// Builds the whole server from its configuration: the clients, the migrated schema, the
/// routes. Tests build the same application and drive it without a socket.
func buildApplication(
    configuration: ServerConfiguration, logger: Logger, exporter: PrometheusExporter = PrometheusExporter()
) async throws -> some ApplicationProtocol {
    // The page's files and the OpenAPI document travel with the executable (its resources):
    // without them, say so now.
    _ = try PageRoutes.loaded.get()
    _ = try OpenAPIRoutes.loaded.get()
    let clients = try StoreClients(configuration: configuration, logger: logger)
    do {
        try await Migrator(client: clients.postgres, logger: logger).migrate()
    } catch {
        await clients.close()
        throw error
    }
    let authenticator: any Authenticator
    do {
        authenticator = try await makeAuthenticator(configuration: configuration, logger: logger)
    } catch {
        await clients.close()
        throw error
    }
    let metrics = ServerMetrics(exporter: exporter, routes: APIRoutes.templates)
    let relay = OutboxRelay(
        postgres: clients.postgres, amqp: clients.amqp, logger: logger, published: metrics.messagesPublished
    )
    let (router, service, seats) = buildRoutes(
        clients: clients, configuration: configuration, logger: logger, metrics: metrics,
        authenticator: authenticator, postCommit: relay
    )
    // Stopped in reverse order: the HTTP server (each seat stream ends at its graceful shutdown,
    // since the server waits for every response), the seat hub, the expiry task and the relay,
    // then the clients.
    var services: [any Service] = [clients, relay]
    if let interval = configuration.holdExpiryInterval {
        services.append(HoldExpiry(service: service, logger: logger, interval: interval))
    }
    services.append(seats)
    return makeApplication(
        router: router, configuration: configuration, serverName: "BookingServer",
        services: services, metrics: metrics,
        logger: logger
    )
}

/// The HTTP server over `router`, with the transport limits of `configuration`; the tests' servers
/// are made here too, so that they hold the same limits.
func makeApplication(
    router: Router<BasicRequestContext>, configuration: ServerConfiguration, serverName: String,
    services: [any Service], metrics: ServerMetrics, logger: Logger
) -> some ApplicationProtocol {
    Application(
        router: router,
        server: configuration.transport.httpServer(logger: logger, metrics: metrics.transport),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
        services: services,
        logger: logger
    )
}

/// The routes over the booking rules and their adapters, with the metrics and the request ids
/// in front of them. `authenticator` identifies callers (nil: the trusting mode);
/// `postCommit` hears each committed booking change (the outbox relay); `rateLimitClock` is
/// the limiter's time (tests stop it).
func buildRouter(
    clients: StoreClients, configuration: ServerConfiguration, logger: Logger,
    metrics: ServerMetrics = ServerMetrics(routes: APIRoutes.templates),
    authenticator: (any Authenticator)? = nil,
    postCommit: any PostCommitSignal = NoPostCommitSignal(),
    rateLimitClock: @escaping UserRateLimiter.Clock = UserRateLimiter.monotonicNanoseconds
) -> Router<BasicRequestContext> {
    buildRoutes(
        clients: clients, configuration: configuration, logger: logger, metrics: metrics,
        authenticator: authenticator, postCommit: postCommit, rateLimitClock: rateLimitClock
    ).router
}

/// ``buildRouter(clients:configuration:logger:metrics:authenticator:postCommit:rateLimitClock:)``,
/// and the booking rules its routes call (the expiry task calls them too).
func buildRoutes(
    clients: StoreClients, configuration: ServerConfiguration, logger: Logger,
    metrics: ServerMetrics = ServerMetrics(routes: APIRoutes.templates),
    authenticator: (any Authenticator)? = nil,
    postCommit: any PostCommitSignal = NoPostCommitSignal(),
    rateLimitClock: @escaping UserRateLimiter.Clock = UserRateLimiter.monotonicNanoseconds
) -> (router: Router<BasicRequestContext>, service: BookingService, seats: SeatHub) {
    var rules = BookingService.Configuration()
    rules.holdSeconds = configuration.holdSeconds
    let store = PostgresBookingStore(client: clients.postgres, grouping: configuration.storeGrouping, metrics: metrics.store)
    let service = BookingService(
        store: store,
        cache: RedisSeatCache(client: clients.redis),
        idempotency: PostgresIdempotencyStore(client: clients.postgres),
        postCommit: postCommit,
        rateLimiter: configuration.rateLimitPerUser > 0
            ? UserRateLimiter(limit: configuration.rateLimitPerUser, clock: rateLimitClock) : nil,
        configuration: rules,
        observer: metrics.reservations,
        logger: logger
    )
    metrics.observe(postgres: clients.postgres, redis: clients.redis, logger: logger)

    let router = Router(context: BasicRequestContext.self)
    // Outermost, so that it sees the status the envelope middleware finally answers.
    router.add(middleware: RequestTelemetryMiddleware(metrics: metrics.http, accessLog: configuration.accessLog))
    router.add(middleware: ErrorEnvelopeMiddleware())
    let authenticator = authenticator ?? TrustingAuthenticator(adminToken: AdminToken(configuration.adminToken))
    BookingRoutes(service: service, authenticator: authenticator).add(to: router)
    EventRoutes(service: service, authenticator: authenticator).add(to: router)
    let gauge = metrics.streamSubscribers
    let seats = SeatHub(
        store: store, feed: PostgresSeatFeed(configuration: clients.postgres.configuration, logger: logger),
        configuration: configuration.stream, logger: logger, subscribersChanged: { gauge.record($0) }
    )
    SeatRoutes(service: service, hub: seats).add(to: router)
    PageRoutes(assets: (try? PageRoutes.loaded.get()) ?? [:]).add(to: router)
    if let document = try? OpenAPIRoutes.loaded.get() { OpenAPIRoutes(document: document).add(to: router) }
    HealthRoutes(checker: HealthChecker(postgres: clients.postgres, redis: clients.redis, amqp: clients.amqp)).add(to: router)
    MetricsRoutes(exporter: metrics.exporter).add(to: router)
    for (path, methods) in APIRoutes.all {
        router.refuseOtherMethods(RouterPath(path), allowing: methods)
    }
    return (router, service, seats)
}

/// The clients of PostgreSQL, Redis and RabbitMQ, as one service: it closes them when the
/// server has stopped (services stop in reverse order, the HTTP server first).
struct StoreClients: Service {
    let postgres: PostgresClient
    let redis: RedisClient
    let amqp: AMQPClient
    let prewarmDatabasePool: Bool

    init(configuration: ServerConfiguration, logger: Logger) throws {
        prewarmDatabasePool = configuration.prewarmDatabasePool
        postgres = PostgresClient(configuration: try PostgresConfiguration(
            url: configuration.databaseURL, applicationName: "booking-server",
            connectTimeout: configuration.databaseConnectTimeout,
            pool: .init(
                maximumConnections: configuration.databaseConnections, acquireTimeout: configuration.databaseAcquireTimeout
            )
        ), logger: logger)
        var redisConfiguration = try RedisConfiguration(url: configuration.redisURL)
        redisConfiguration.sharedConnections = configuration.redisConnections
        // The server needs no connection to itself (no MULTI, WATCH or blocking command).
        redisConfiguration.maximumConnections = 2
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
        // The whole pool, opened now rather than by the first requests of a rush (a connect and
        // a new backend each: the first flash sale after a start paid them in its tail).
        if prewarmDatabasePool { await postgres.prewarm() }
        try? await gracefulShutdown()
        await close()
    }

    func close() async {
        postgres.close()
        redis.close()
        await amqp.close()
    }
}
