import ConnectionPool
import Foundation
import Postgres
import Testing

@Suite struct PostgresConnectionTests {
    @Test func uniqueViolationCarriesSQLStateAndConstraintName() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        try await client.withConnection { connection in
            try await connection.execute(script: """
                CREATE TEMP TABLE seats (event_id int8, user_id text,
                    CONSTRAINT seats_event_user_key UNIQUE (event_id, user_id));
                """)
            let insert = PostgresQuery("INSERT INTO seats VALUES ($1, $2)", binds: [1, "zoë"])
            _ = try await connection.query(insert)
            let error = await #expect(throws: PostgresError.self) { try await connection.query(insert) }
            #expect(error?.sqlState == .uniqueViolation)
            #expect(error?.sqlState?.code == "23505")
            #expect(error?.constraint == "seats_event_user_key")
            #expect(error?.isUniqueViolation(of: "seats_event_user_key") == true)
            #expect(error?.isUniqueViolation(of: "other") == false)
            // A server error leaves the connection usable.
            #expect(connection.isUsable)
            let count = try await connection.query(PostgresQuery("SELECT count(*) FROM seats"))
            #expect(try count[0].decode(0, as: Int.self) == 1)
        }
    }

    @Test func syntaxErrorIsAServerErrorAndTheConnectionGoesOn() async throws {
        let client = try TestDatabase.client(maximumConnections: 1)
        defer { client.close() }
        let error = await #expect(throws: PostgresError.self) { try await client.query(PostgresQuery("SELEC 1")) }
        #expect(error?.kind == .server)
        #expect(error?.sqlState == .syntaxError)
        let rows = try await client.query(PostgresQuery("SELECT 2"))
        #expect(try rows[0].decode(0, as: Int.self) == 2)
    }

    @Test func pipelineIsOneTransaction() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        try await client.withConnection { connection in
            try await connection.execute(script: "CREATE TEMP TABLE items (id int PRIMARY KEY)")
            let insert = "INSERT INTO items VALUES ($1) RETURNING id"
            let results = try await connection.pipeline([
                PostgresQuery(insert, binds: [1]), PostgresQuery(insert, binds: [2]),
                PostgresQuery("SELECT count(*) FROM items"),
            ])
            #expect(results.count == 3)
            #expect(try results[1][0].decode(0, as: Int.self) == 2)
            #expect(try results[2][0].decode(0, as: Int.self) == 2)

            // The second statement fails, so the first (id 3) is rolled back with it.
            let error = await #expect(throws: PostgresError.self) {
                try await connection.pipeline([PostgresQuery(insert, binds: [3]), PostgresQuery(insert, binds: [1])])
            }
            #expect(error?.sqlState == .uniqueViolation)
            let after = try await connection.query(PostgresQuery("SELECT array_agg(id ORDER BY id)::text FROM items"))
            #expect(try after[0].decode(0, as: String.self) == "{1,2}")
        }
    }

    @Test func statementIsPreparedOncePerConnection() async throws {
        let client = try TestDatabase.client(maximumConnections: 1)
        defer { client.close() }
        let sql = "SELECT $1::int8 + 1 /* prepared-once */"
        for value in 0..<3 {
            let rows = try await client.query(PostgresQuery(sql, binds: [.init(value)]))
            #expect(try rows[0].decode(0, as: Int.self) == value + 1)
        }
        let prepared = try await client.query(PostgresQuery(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", binds: [.init(sql)]
        ))
        #expect(try prepared[0].decode(0, as: Int.self) == 1)
    }

    @Test func transactionRollsBackWhenTheBodyThrows() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let table = TestDatabase.uniqueName("rollback")
        _ = try await client.query(PostgresQuery("CREATE TABLE \(table) (id int)"))
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await client.withTransaction { connection in
                _ = try await connection.query(PostgresQuery("INSERT INTO \(table) VALUES (1)"))
                throw Abort()
            }
        }
        try await client.withTransaction { connection in
            _ = try await connection.query(PostgresQuery("INSERT INTO \(table) VALUES (2)"))
        }
        let rows = try await client.query(PostgresQuery("SELECT array_agg(id)::text FROM \(table)"))
        #expect(try rows[0].decode(0, as: String.self) == "{2}")
        _ = try await client.query(PostgresQuery("DROP TABLE \(table)"))
    }

    @Test func openingStatementsRunInsideTheTransactionAndRollBackWithIt() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let table = TestDatabase.uniqueName("opening")
        _ = try await client.query(PostgresQuery("CREATE TABLE \(table) (id int)"))
        struct Abort: Error {}
        try await client.withConnection { connection in
            // Sent with BEGIN: the same transaction as the body's statements, as its id shows.
            let id = try await connection.withTransaction(opening: [PostgresQuery("SELECT txid_current()")]) { opened in
                let body = try await connection.query(PostgresQuery("SELECT txid_current()"))
                #expect(try opened[0][0].decode(0, as: Int.self) == body[0].decode(0, as: Int.self))
                return try body[0].decode(0, as: Int.self)
            }
            #expect(id > 0)
            await #expect(throws: Abort.self) {
                try await connection.withTransaction(opening: [PostgresQuery("INSERT INTO \(table) VALUES (1)")]) { _ in
                    throw Abort()
                }
            }
            try await connection.withTransaction(opening: [PostgresQuery("INSERT INTO \(table) VALUES (2)")]) { _ in }
        }
        let rows = try await client.query(PostgresQuery("SELECT array_agg(id)::text FROM \(table)"))
        #expect(try rows[0].decode(0, as: String.self) == "{2}")
        _ = try await client.query(PostgresQuery("DROP TABLE \(table)"))
    }

    @Test func nulInAParameterIsRejectedBeforeSending() async throws {
        let client = try TestDatabase.client(maximumConnections: 1)
        defer { client.close() }
        let error = await #expect(throws: PostgresError.self) {
            try await client.query(PostgresQuery("SELECT $1::text", binds: ["a\u{0}b"]))
        }
        #expect(error?.kind == .invalidParameter)
        let rows = try await client.query(PostgresQuery("SELECT 'still fine'::text"))
        #expect(try rows[0].decode(0, as: String.self) == "still fine")
    }

    @Test func manyConcurrentCallersShareABoundedPool() async throws {
        // The subject is the bound, not the wait: in a full parallel run on two cores 200 callers
        // have waited past 5 s for one of the 8, so the acquire deadline is generous here.
        let client = try TestDatabase.client(maximumConnections: 8, acquireTimeout: .seconds(60))
        defer { client.close() }
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for value in 0..<200 {
                group.addTask {
                    let rows = try await client.query(PostgresQuery("SELECT $1::int8 * 2", binds: [.init(value)]))
                    return try rows[0].decode(0, as: Int.self) - value * 2
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(sums == 0)
        #expect(client.statistics.open <= 8)
    }
}

@Suite struct PostgresDeadlockTests {
    /// Two transactions that lock two rows in opposite orders: PostgreSQL rolls one back as the
    /// deadlock's victim, and the client runs it again, so both take effect.
    @Test func aDeadlocksVictimIsRunAgainAndBothTransactionsTakeEffect() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let table = TestDatabase.uniqueName("deadlock_probe")
        try await client.withConnection { try await $0.execute(script: "CREATE TABLE \(table) (id int PRIMARY KEY, n int NOT NULL); INSERT INTO \(table) VALUES (1, 0), (2, 0);") }
        func crossing(_ first: Int, _ second: Int) -> [PostgresQuery] {
            [
                PostgresQuery("UPDATE \(table) SET n = n + 1 WHERE id = $1", binds: [.init(first)]),
                PostgresQuery("SELECT pg_sleep(0.3)"),
                PostgresQuery("UPDATE \(table) SET n = n + 1 WHERE id = $1", binds: [.init(second)]),
            ]
        }
        async let one = client.pipeline(crossing(1, 2))
        async let other = client.pipeline(crossing(2, 1))
        _ = try await (one, other)
        let rows = try await client.query(PostgresQuery("SELECT n FROM \(table) ORDER BY id"))
        #expect(try rows.map { try $0.decode(0, as: Int.self) } == [2, 2], "each transaction added one to each row, once")
        try await client.withConnection { try await $0.execute(script: "DROP TABLE \(table)") }
    }
}
