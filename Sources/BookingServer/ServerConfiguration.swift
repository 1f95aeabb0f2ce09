import Configuration
import Logging
import Telemetry

/// Everything the server reads from its environment (names and defaults as docs/api.md lists them;
/// the defaults point at the services `scripts/services` starts).
struct ServerConfiguration: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var databaseURL = "postgres://booking:booking@127.0.0.1:54329/booking"
    var redisURL = "redis://127.0.0.1:63790/0"
    var amqpURL = "amqp://booking:booking@127.0.0.1:56720/%2F"
    /// Nil disables the admin endpoints (every call answers 401): no default secret.
    var adminToken: String?
    var logLevel = Logger.Level.info
    /// `LOG_FORMAT`: one JSON object per line (default) or plain text.
    var logFormat = LogFormat.json
    /// `ACCESS_LOG=1`: one info line per request; off by default, so that nothing on the hot
    /// path logs at info.
    var accessLog = false
    var rateLimitPerUser = 20
    /// `HOLD_SECONDS`: a hold's length when the request gives no `hold_seconds`.
    var holdSeconds = 600
    /// `HOLD_EXPIRY_INTERVAL_MS`: how often the expiry task looks for lapsed holds; 0 turns it off
    /// (for tests of exact expiry: correctness never waits for it).
    var holdExpiryInterval: Duration? = .seconds(1)
    /// `STREAM_PING_SECONDS` and `STREAM_BACKLOG`: the seat stream's comment line on a quiet
    /// stream, and how many messages a subscriber may be behind before it gets a snapshot instead.
    var stream = SeatHub.Configuration()
    var databaseConnections = 32
    /// `DATABASE_GROUP_SIZE` and `DATABASE_GROUP_WRITERS`: bookings that reach PostgreSQL together
    /// are inserted by one statement, up to the size, by at most that many statements at once
    /// (never more than the pool's connections).
    var storeGrouping = PostgresBookingStore.Grouping()
    /// How long opening a PostgreSQL connection, and waiting for a pooled one, may take: short,
    /// so that with PostgreSQL gone a request answers 503 within 2 s (docs/api.md). Not read from the
    /// environment; the tests lengthen them for the many servers they start at once.
    var databaseConnectTimeout = Duration.milliseconds(800)
    var databaseAcquireTimeout = Duration.milliseconds(1000)
    /// `DATABASE_POOL_PREWARM`: open the whole pool at start-up, not during the first rush.
    var prewarmDatabasePool = true
    /// Redis connections that every request shares (commands of concurrent requests leave in
    /// one write); Redis runs one command at a time, so a few are enough.
    var redisConnections = 2
    /// The token mode's keys (docs/api.md, "Identity"): an HS256 secret (at least 32 bytes), and a
    /// file of PEM public keys or a JWKS document. Neither set: the trusting mode.
    var authJWTSecret: String?
    var authJWTPublicKeysFile: String?
    /// When set, a token's `iss` must be this and its `aud` must contain that.
    var authJWTIssuer: String?
    var authJWTAudience: String?

    /// Whether requests are identified by tokens (or trusted to name their user).
    var isTokenMode: Bool { authJWTSecret != nil || authJWTPublicKeysFile != nil }
    /// `HTTP_HEAD_TIMEOUT_MS`, `HTTP_IDLE_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS`, `HTTP_MAX_HEAD_BYTES`.
    var transport = TransportLimits()

    init() {}

    /// The variables in `environment`: the process's, or a test's dictionary.
    init(environment: [String: String]) throws {
        try self.init(config: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    /// Reads the variables that are set; a malformed value is an error that names it (see
    /// `ConfigReader.value(_:mustBe:_:)` in Telemetry).
    init(config: ConfigReader) throws {
        host = config.text("HOST") ?? host
        port = try config.integer("PORT", in: 0...65535) ?? port
        databaseURL = config.text("DATABASE_URL", isSecret: true) ?? databaseURL
        redisURL = config.text("REDIS_URL", isSecret: true) ?? redisURL
        amqpURL = config.text("AMQP_URL", isSecret: true) ?? amqpURL
        adminToken = config.text("ADMIN_TOKEN", isSecret: true)
        authJWTSecret = config.text("AUTH_JWT_SECRET", isSecret: true)
        if let secret = authJWTSecret, secret.utf8.count < 32 {
            throw InvalidConfigurationValue("AUTH_JWT_SECRET must be at least 32 bytes, not \(secret.utf8.count) (the value is not shown)")
        }
        authJWTPublicKeysFile = config.text("AUTH_JWT_PUBLIC_KEYS")
        authJWTIssuer = config.text("AUTH_JWT_ISSUER")
        authJWTAudience = config.text("AUTH_JWT_AUDIENCE")
        rateLimitPerUser = try config.integer("RATE_LIMIT_PER_USER", in: 0...1_000_000) ?? rateLimitPerUser
        holdSeconds = try config.integer("HOLD_SECONDS", in: 1...3600) ?? holdSeconds
        if let interval = try config.integer("HOLD_EXPIRY_INTERVAL_MS", in: 0...600_000) {
            holdExpiryInterval = interval == 0 ? nil : .milliseconds(interval)
        }
        if let seconds = try config.integer("STREAM_PING_SECONDS", in: 1...300) { stream.ping = .seconds(seconds) }
        stream.backlog = try config.integer("STREAM_BACKLOG", in: 1...10_000) ?? stream.backlog
        databaseConnections = try config.integer("DATABASE_POOL_SIZE", in: 1...1000) ?? databaseConnections
        storeGrouping.maxGroup = try config.integer("DATABASE_GROUP_SIZE", in: 1...1000) ?? storeGrouping.maxGroup
        storeGrouping.writers = min(
            try config.integer("DATABASE_GROUP_WRITERS", in: 1...1000) ?? storeGrouping.writers, databaseConnections
        )
        redisConnections = try config.integer("REDIS_CONNECTIONS", in: 1...64) ?? redisConnections
        logFormat = try config.logFormat() ?? logFormat
        accessLog = try config.flag("ACCESS_LOG") ?? accessLog
        prewarmDatabasePool = try config.flag("DATABASE_POOL_PREWARM") ?? prewarmDatabasePool
        logLevel = try config.logLevel("LOG_LEVEL") ?? logLevel
        transport.headTimeout = try config.integer("HTTP_HEAD_TIMEOUT_MS", in: 100...600_000).map { .milliseconds($0) }
            ?? transport.headTimeout
        transport.idleTimeout = try config.integer("HTTP_IDLE_TIMEOUT_MS", in: 100...3_600_000).map { .milliseconds($0) }
            ?? transport.idleTimeout
        transport.maxConnections = try config.integer("HTTP_MAX_CONNECTIONS", in: 1...1_000_000) ?? transport.maxConnections
        transport.maxHeadBytes = try config.integer("HTTP_MAX_HEAD_BYTES", in: 1024...1_048_576) ?? transport.maxHeadBytes
    }
}
