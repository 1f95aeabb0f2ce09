import CoreMetrics
import Logging
import Postgres
import Redis
import Telemetry

/// Every metric the server exports (docs/api.md, `/metrics`), with its handles made once. Tests give
/// each server an exporter of its own, so counts never mix between tests.
struct ServerMetrics: Sendable {
    let exporter: PrometheusExporter
    let http: HTTPMetrics
    let reservations: ReservationMetrics
    /// `booking_messages_published_total`: outbox messages confirmed by the broker.
    let messagesPublished: Counter
    /// `booking_outbox_backlog`: unsent outbox rows, counted at scrape time.
    let outboxBacklog: Gauge
    /// The transport's own answers and its open connections.
    let transport: TransportMetrics
    /// The store's groups of writes.
    let store: StoreMetrics
    /// `booking_stream_subscribers`: open seat streams.
    let streamSubscribers: Gauge

    init(exporter: PrometheusExporter = PrometheusExporter(), routes: [String]) {
        self.exporter = exporter
        let factory = exporter.factory
        http = HTTPMetrics(factory: factory, routes: routes)
        reservations = ReservationMetrics(factory: factory)
        messagesPublished = Counter(label: "booking_messages_published_total", factory: factory)
        outboxBacklog = Gauge(label: "booking_outbox_backlog", factory: factory)
        transport = TransportMetrics(factory: factory)
        store = StoreMetrics(factory: factory)
        streamSubscribers = Gauge(label: "booking_stream_subscribers", factory: factory)
        streamSubscribers.record(0)
    }

    /// Reads PostgreSQL's pool statistics, the Redis connections and the outbox backlog before
    /// each scrape. The backlog query counts the outbox (every row in it is unsent) and gives up
    /// after `deadline` (the gauge then keeps its last value), so a scrape stays quick with
    /// PostgreSQL slow or away.
    func observe(postgres: PostgresClient, redis: RedisClient, deadline: Duration = .milliseconds(500), logger: Logger) {
        let factory = exporter.factory
        let postgresPool = PoolMetrics(pool: "postgres", factory: factory)
        // Every request shares them (no pool, no wait): how many are open is what there is to see.
        let redisConnections = Gauge(label: "redis_shared_connections", factory: factory)
        let backlog = outboxBacklog
        let transport = transport
        exporter.refreshBeforeEachScrape {
            transport.refresh()
            postgresPool.update(postgres.statistics, postgres.acquireStatistics)
            redisConnections.record(redis.sharedOpen)
            let count = await Deadline.firstAnswer(within: deadline) {
                try await postgres.query(PostgresQuery(OutboxSQL.unsentCount)).first?.decode(0, as: Int.self)
            }
            switch count {
            case .success(let count?): backlog.record(count)
            case .success(nil): break
            case .failure(let error): logger.debug("outbox backlog not counted", metadata: ["error": "\(error)"])
            }
        }
    }
}
