import Logging
import Postgres

/// Applies the pending ``Migrations`` in order, each in its own transaction, recorded in
/// `schema_migrations`. Several instances may start at once: an advisory lock lets one migrate
/// while the others wait, then find nothing left to do.
public struct Migrator {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// An arbitrary, fixed key for `pg_advisory_lock`, the same in every instance.
    public static let lockKey: Int64 = 0x5EA7_B00C

    public func migrate() async throws {
        try await client.withConnection { connection in
            _ = try await connection.query(PostgresQuery("SELECT pg_advisory_lock($1)", binds: [.init(Self.lockKey)]))
            do {
                try await applyPending(on: connection)
                _ = try await connection.query(PostgresQuery("SELECT pg_advisory_unlock($1)", binds: [.init(Self.lockKey)]))
            } catch {
                // Leaving the session releases the lock; a failed connection is discarded.
                _ = try? await connection.query(PostgresQuery("SELECT pg_advisory_unlock($1)", binds: [.init(Self.lockKey)]))
                throw error
            }
        }
    }

    private func applyPending(on connection: PostgresConnection) async throws {
        try await connection.execute(script: """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = Set(try await connection.query(PostgresQuery("SELECT version FROM schema_migrations"))
            .map { try $0.decode(0, as: Int.self) })
        for migration in Migrations.all where !applied.contains(migration.version) {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            // One transaction per version: a failed migration leaves no half of itself behind.
            try await connection.withTransaction { _ in
                try await connection.execute(script: migration.sql)
                _ = try await connection.query(PostgresQuery(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    binds: [.init(migration.version), .init(migration.name)]
                ))
            }
        }
    }
}
