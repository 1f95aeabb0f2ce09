import ConnectionPool
import Logging

/// The application's handle on PostgreSQL: a bounded pool of ``PostgresConnection``s.
public final class PostgresClient: Sendable {
    public let configuration: PostgresConfiguration
    private let pool: ConnectionPool<PostgresConnection>

    public init(configuration: PostgresConfiguration, logger: Logger = Logger(label: "postgres")) {
        self.configuration = configuration
        self.pool = ConnectionPool(configuration: configuration.pool) {
            try await PostgresConnection.connect(configuration: configuration, logger: logger)
        }
    }

    public var statistics: ConnectionPool<PostgresConnection>.Statistics { pool.statistics }
    public var acquireStatistics: AcquireStatistics { pool.acquireStatistics }

    /// Opens the pool's connections ahead of the first callers (see ``ConnectionPool/prewarm(_:)``);
    /// returns how many it opened.
    @discardableResult
    public func prewarm() async -> Int {
        await pool.prewarm(configuration.pool.maximumConnections)
    }

    /// Runs one statement on a pooled connection, in one round trip (again after a deadlock, as
    /// ``pipeline(_:)``).
    public func query(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        try await pipeline([query])[0]
    }

    /// Runs the statements in one round trip as one transaction (see
    /// ``PostgresConnection/pipeline(_:)``). A transaction PostgreSQL chose as a deadlock's victim
    /// was rolled back whole and is run again, up to ``deadlockRetries`` times: nothing of it took
    /// effect, and the other side of the deadlock has gone on.
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresQueryResult] {
        var attempt = 0
        while true {
            do {
                return try await pool.withConnection { try await $0.pipeline(queries) }
            } catch let error as PostgresError where error.sqlState == .deadlockDetected && attempt < Self.deadlockRetries {
                attempt += 1
            }
        }
    }

    public static let deadlockRetries = 3

    /// Lends a connection for several dependent statements.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await pool.withConnection(isolation: isolation, body)
    }

    /// Runs `body` between BEGIN and COMMIT on one pooled connection; any error rolls back (see
    /// ``PostgresConnection/withTransaction(isolation:opening:_:)``). When the statements do not
    /// depend on each other's results, ``pipeline(_:)`` does the same in one round trip instead
    /// of one per statement plus two.
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await pool.withConnection(isolation: isolation) { connection in
            try await connection.withTransaction(isolation: isolation) { _ in try await body(connection) }
        }
    }

    /// A round trip through a pooled connection, for health checks; returns its latency.
    public func ping() async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await query(PostgresQuery("SELECT 1"))
        return clock.now - start
    }

    /// Closes idle connections now and the others as they come back.
    public func close() { pool.close() }
}
