import Foundation
import Postgres
import Testing
@testable import BookingServer

/// A reserve through PostgreSQL alone (Redis unreachable for its event) beside an insert of the
/// cached path, on one event. A chaos run that killed a Redis primary while three servers sold one
/// event met deadlocks between them: the path without Redis took the event's row first and then
/// waited for a new seat's index entry, which a cached insert held while it waited for the event's
/// row (its seat version). The path without Redis now serializes on an advisory lock of the event
/// instead, and takes the row at its end like every insert.
@Suite struct BookingLockOrderTests {
    /// The deadlock, set up step by step: something holds the event's row (as an insert between
    /// its statement's end and its commit does); the reserve without Redis starts; then a cached
    /// insert of seat 1 starts; then the row is let go.
    @Test func aReserveWithoutRedisAndACachedInsertOfItsSeatDoNotDeadlock() async throws {
        try await TestSchema.ensureMigrated()
        try await TestDatabase.withClient { client in
            let store = PostgresBookingStore(client: client)
            let event = try await store.createEvent(name: "lock order", totalSeats: 10)
            try await Self.withConnections(3) { row, cached, probe in
                _ = try await row.query(PostgresQuery("BEGIN"))
                _ = try await row.query(PostgresQuery("SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE", binds: [.init(event.id)]))
                let alone = Task {
                    try await store.reserveWithoutCache(eventID: event.id, userID: TestEnvironment.uniqueUser("alone"), seatNumber: nil)
                }
                try await Self.waitForABackendBlocked(by: row, probe: probe)

                let cachedBackend = try await cached.query(PostgresQuery("SELECT pg_backend_pid()"))[0].decode(0, as: Int32.self)
                let insert = Task { () -> SQLState? in
                    _ = try await cached.query(PostgresQuery("BEGIN"))
                    do {
                        _ = try await cached.query(PostgresQuery(BookingSQL.insertBooking, binds: [
                            .init(event.id), .init(TestEnvironment.uniqueUser("cached")), .init(1),
                        ]))
                        _ = try await cached.query(PostgresQuery("COMMIT"))
                        return nil
                    } catch let error as PostgresError {
                        _ = try? await cached.query(PostgresQuery("ROLLBACK"))
                        return error.sqlState
                    }
                }
                try await Self.waitUntilBlocked(cachedBackend, probe: probe)
                _ = try await row.query(PostgresQuery("ROLLBACK"))

                let booking = try await alone.value
                let refused = try await insert.value
                #expect(booking.seatNumber == 1, "the first free seat, taken by the reserve without Redis")
                #expect(refused == .uniqueViolation, "the cached insert of the same seat is refused as such, never a deadlock's victim: \(String(describing: refused))")
            }
        }
    }

    /// The first free seat, taken under a reserve without Redis by a cached insert that commits
    /// while the reserve waits for it: the reserve books the next free seat, not SEAT_TAKEN.
    @Test func aReserveWithoutRedisWhoseSeatGoesMeanwhileTakesTheNextFreeOne() async throws {
        try await TestSchema.ensureMigrated()
        try await TestDatabase.withClient { client in
            let store = PostgresBookingStore(client: client)
            let event = try await store.createEvent(name: "seat gone", totalSeats: 10)
            try await Self.withConnections(3) { cached, _, probe in
                _ = try await cached.query(PostgresQuery("BEGIN"))
                _ = try await cached.query(PostgresQuery(BookingSQL.insertBooking, binds: [
                    .init(event.id), .init(TestEnvironment.uniqueUser("cached")), .init(1),
                ]))
                let alone = Task {
                    try await store.reserveWithoutCache(eventID: event.id, userID: TestEnvironment.uniqueUser("alone"), seatNumber: nil)
                }
                try await Self.waitForABackendBlocked(by: cached, probe: probe)
                _ = try await cached.query(PostgresQuery("COMMIT"))
                #expect(try await alone.value.seatNumber == 2)
            }
        }
    }

    /// `count` connections of their own to the test database (not pooled, so none is shared).
    private static func withConnections(
        _ count: Int, _ body: (PostgresConnection, PostgresConnection, PostgresConnection) async throws -> Void
    ) async throws {
        let configuration = try PostgresConfiguration(url: TestEnvironment.databaseURL)
        var connections: [PostgresConnection] = []
        defer { for connection in connections { connection.close() } }
        for _ in 0..<count { connections.append(try await PostgresConnection.connect(configuration: configuration)) }
        try await body(connections[0], connections[1], connections[2])
    }

    /// Returns once a backend waits for a lock `holder` holds (polled: it takes a moment to get there).
    private static func waitForABackendBlocked(by holder: PostgresConnection, probe: PostgresConnection) async throws {
        let holderPID = try await holder.query(PostgresQuery("SELECT pg_backend_pid()"))[0].decode(0, as: Int32.self)
        for _ in 0..<200 {
            let rows = try await probe.query(PostgresQuery(
                "SELECT pid FROM pg_stat_activity WHERE pg_blocking_pids(pid) @> ARRAY[$1::int4]", binds: [.init(holderPID)]
            ))
            if !rows.isEmpty { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("no backend waited for the event's row within 5 s")
    }

    private static func waitUntilBlocked(_ pid: Int32, probe: PostgresConnection) async throws {
        for _ in 0..<200 {
            let rows = try await probe.query(PostgresQuery("SELECT cardinality(pg_blocking_pids($1::int4))", binds: [.init(pid)]))
            if try rows[0].decode(0, as: Int32.self) > 0 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("the cached insert did not wait within 5 s")
    }
}
