import Foundation
import Postgres
import Synchronization
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
                        try await Self.cachedInsert(on: cached, event: event.id, seat: 1)
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
    /// while the reserve waits for it: the reserve books another free seat, not SEAT_TAKEN.
    @Test func aReserveWithoutRedisWhoseSeatGoesMeanwhileTakesTheNextFreeOne() async throws {
        try await TestSchema.ensureMigrated()
        try await TestDatabase.withClient { client in
            let store = PostgresBookingStore(client: client)
            let event = try await store.createEvent(name: "seat gone", totalSeats: 10)
            try await Self.withConnections(3) { cached, _, probe in
                _ = try await cached.query(PostgresQuery("BEGIN"))
                try await Self.cachedInsert(on: cached, event: event.id, seat: 1)
                let alone = Task {
                    try await store.reserveWithoutCache(eventID: event.id, userID: TestEnvironment.uniqueUser("alone"), seatNumber: nil)
                }
                try await Self.waitForABackendBlocked(by: cached, probe: probe)
                _ = try await cached.query(PostgresQuery("COMMIT"))
                let seat = try await alone.value.seatNumber
                #expect((2...10).contains(seat), "seat \(seat)")
            }
        }
    }

    /// The cached path keeps inserting the lowest free seat, each insert begun before the one
    /// before it commits (as groups in flight on other instances do): a reserve without Redis that
    /// always tried the lowest free seat met one in flight on every try and answered SEAT_TAKEN
    /// after its last. It skips free seats on its later tries, so it books a free seat.
    @Test func aReserveWithoutRedisChasedByCachedInsertsStillBooksAFreeSeat() async throws {
        try await TestSchema.ensureMigrated()
        try await TestDatabase.withClient { client in
            let store = PostgresBookingStore(client: client)
            let event = try await store.createEvent(name: "chased", totalSeats: 2_000)
            try await Self.withConnections(3) { first, second, probe in
                let done = Flag()
                var holder = first, next = second, seat = 1
                _ = try await holder.query(PostgresQuery("BEGIN"))
                try await Self.cachedInsert(on: holder, event: event.id, seat: seat)
                let alone = Task {
                    defer { done.raise() }
                    return try await store.reserveWithoutCache(eventID: event.id, userID: TestEnvironment.uniqueUser("alone"), seatNumber: nil)
                }
                var chased = 0
                // Each round: the reserve waits for the seat in flight; the next lowest seat goes
                // in flight (its insert holds the seat and waits for the event's row, which the
                // insert before it holds until it commits); the waited-for seat commits, and the
                // reserve, refused it, tries again.
                while chased <= PostgresBookingStore.freeSeatRetries + 2,
                      try await Self.aBackendIsBlocked(by: holder, probe: probe, unless: done) {
                    chased += 1
                    seat += 1
                    let inserting = next, nextSeat = seat
                    let nextPID = try await inserting.query(PostgresQuery("SELECT pg_backend_pid()"))[0].decode(0, as: Int32.self)
                    _ = try await inserting.query(PostgresQuery("BEGIN"))
                    let insert = Task {
                        try await Self.cachedInsert(on: inserting, event: event.id, seat: nextSeat)
                    }
                    try await Self.waitUntilBlocked(nextPID, probe: probe)
                    _ = try await holder.query(PostgresQuery("COMMIT"))
                    try await insert.value
                    swap(&holder, &next)
                }
                _ = try await holder.query(PostgresQuery("COMMIT"))
                let booking = try await alone.value
                #expect(booking.seatNumber > seat, "a seat no cached insert had: seat \(booking.seatNumber), after \(chased) seats taken under it")
                #expect(chased >= 1, "the reserve waited for the seat in flight at least once")
            }
        }
    }

    /// Whether a backend waits for a lock `holder` holds, polled until one does, or until `done`
    /// (false then), or 5 s.
    private static func aBackendIsBlocked(
        by holder: PostgresConnection, probe: PostgresConnection, unless done: Flag
    ) async throws -> Bool {
        let holderPID = try await holder.query(PostgresQuery("SELECT pg_backend_pid()"))[0].decode(0, as: Int32.self)
        for _ in 0..<200 {
            let rows = try await probe.query(PostgresQuery(
                "SELECT pid FROM pg_stat_activity WHERE pg_blocking_pids(pid) @> ARRAY[$1::int4]", binds: [.init(holderPID)]
            ))
            if !rows.isEmpty { return true }
            if done.isRaised { return false }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("the reserve neither waited for a seat in flight nor ended within 5 s")
    }

    private final class Flag: Sendable {
        private let raised = Atomic<Bool>(false)
        var isRaised: Bool { raised.load(ordering: .acquiring) }
        func raise() { raised.store(true, ordering: .releasing) }
    }

    /// The cached path's insert of `seat` for a new user, as its statement: in the transaction
    /// `connection` has open, if any.
    private static func cachedInsert(on connection: PostgresConnection, event: Int64, seat: Int) async throws {
        _ = try await connection.query(PostgresQuery(BookingSQL.insertBooking, binds: [
            .init(event), .init(TestEnvironment.uniqueUser("cached")), .init(seat),
        ]))
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
