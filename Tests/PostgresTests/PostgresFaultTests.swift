import ConnectionPool
import Foundation
import Postgres
import Testing

@Suite struct PostgresFaultTests {
    @Test func exhaustedPoolGivesTheAcquireTimeoutError() async throws {
        let client = try TestDatabase.client(maximumConnections: 1, acquireTimeout: .milliseconds(200))
        defer { client.close() }
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await client.withConnection { connection in
                _ = try await connection.query(PostgresQuery("SELECT 1"))
                for await _ in held { break }
            }
        }
        while client.statistics.inUse == 0 { await Task.yield() }
        let error = await #expect(throws: ConnectionPoolError.self) { try await client.query(PostgresQuery("SELECT 1")) }
        #expect(error?.code == .acquireTimeout)
        release.yield()
        try await holder.value
        _ = try await client.query(PostgresQuery("SELECT 1"))
    }

    @Test func terminatedBackendIsReplacedAndTheNextCallSucceeds() async throws {
        let client = try TestDatabase.client(maximumConnections: 1)
        let admin = try TestDatabase.client(maximumConnections: 1)
        defer { client.close(); admin.close() }
        let before = try await client.query(PostgresQuery("SELECT pg_backend_pid()"))[0].decode(0, as: Int.self)
        let terminated = try await admin.query(PostgresQuery("SELECT pg_terminate_backend($1::int)", binds: [.init(before)]))
        #expect(try terminated[0].decode(0, as: Bool.self))
        // Give the server a moment to close the socket, as a real outage would have.
        try await Task.sleep(for: .milliseconds(100))
        let after = try await client.query(PostgresQuery("SELECT pg_backend_pid()"))[0].decode(0, as: Int.self)
        #expect(after != before)
    }

    @Test func backendTerminatedMidQueryFailsThatCallOnlyAndTheNextSucceeds() async throws {
        let client = try TestDatabase.client(maximumConnections: 1)
        let admin = try TestDatabase.client(maximumConnections: 1)
        defer { client.close(); admin.close() }
        let pid = try await client.query(PostgresQuery("SELECT pg_backend_pid()"))[0].decode(0, as: Int.self)
        let sleeper = Task { try await client.query(PostgresQuery("SELECT pg_sleep(5)")) }
        try await waitUntilRunningSleep(pid: pid, admin: admin)
        _ = try await admin.query(PostgresQuery("SELECT pg_terminate_backend($1::int)", binds: [.init(pid)]))
        let error = await #expect(throws: PostgresError.self) { try await sleeper.value }
        #expect(error?.kind == .connectionClosed || error?.sqlState == .adminShutdown)
        let rows = try await client.query(PostgresQuery("SELECT 1"))
        #expect(try rows[0].decode(0, as: Int.self) == 1)
    }

    @Test func refusedConnectionIsAClearErrorQuickly() async throws {
        let client = PostgresClient(configuration: try PostgresConfiguration(
            url: "postgres://booking:booking@127.0.0.1:1/booking", connectTimeout: .seconds(2)
        ))
        defer { client.close() }
        let error = await #expect(throws: PostgresError.self) { try await client.query(PostgresQuery("SELECT 1")) }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.description.contains("127.0.0.1:1") == true)
        #expect(error?.description.contains("booking:booking") == false, "no password in errors")
    }

    @Test func wrongPasswordIsAConnectionFailure() async throws {
        let url = TestDatabase.url.replacingOccurrences(of: "booking:booking@", with: "booking:wrong@")
        let client = PostgresClient(configuration: try PostgresConfiguration(url: url))
        defer { client.close() }
        let error = await #expect(throws: PostgresError.self) { try await client.query(PostgresQuery("SELECT 1")) }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.description.contains("password") == true)
    }

    @Test(arguments: ["mysql://x@y/z", "postgres://host:notaport/db", "postgres://a@b/c?nosuchoption=1"])
    func malformedURLIsRejectedUpFront(url: String) {
        let error = #expect(throws: PostgresError.self) { try PostgresConfiguration(url: url) }
        #expect(error?.kind == .invalidConfiguration)
    }

    @Test func cancelledQueryDiscardsItsConnection() async throws {
        let client = try TestDatabase.client(maximumConnections: 1)
        defer { client.close() }
        let admin = try TestDatabase.client(maximumConnections: 1)
        defer { admin.close() }
        // Open the connection first, so the cancellation lands on the statement, not the connect.
        let pid = try await client.query(PostgresQuery("SELECT pg_backend_pid()"))[0].decode(0, as: Int.self)
        let sleeper = Task { try await client.query(PostgresQuery("SELECT pg_sleep(2)")) }
        try await waitUntilRunningSleep(pid: pid, admin: admin)
        sleeper.cancel()
        let error = await #expect(throws: PostgresError.self) { try await sleeper.value }
        #expect(error?.kind == .cancelled)
        let rows = try await client.query(PostgresQuery("SELECT 3"))
        #expect(try rows[0].decode(0, as: Int.self) == 3)
    }

    /// Waits (5 s at most) until backend `pid` is executing its `pg_sleep`.
    private func waitUntilRunningSleep(pid: Int, admin: PostgresClient) async throws {
        let running = PostgresQuery(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'",
            binds: [.init(pid)]
        )
        for _ in 0..<500 {
            if try await admin.query(running)[0].decode(0, as: Int.self) == 1 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("backend \(pid) never started its pg_sleep")
    }
}
