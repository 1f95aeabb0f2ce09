import BookingCore
import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Testing

@testable import BookingServer

/// The expiry task (`HoldExpiry`) on the real PostgreSQL and Redis: a lapsed hold is moved to
/// history as expired with its `booking.expired` outbox row, counted in
/// `booking_holds_expired_total`, and freed in Redis, once, whichever instance moves it.
@Suite("Hold expiry task", .serialized)
struct HoldExpiryTests {
    /// Exclusive: every relay of the tests (which would publish and delete the outbox rows read
    /// here) runs in an exclusive section too.
    @Test func twoInstancesTasksMoveEachLapsedHoldOnceWithItsMessage() async throws {
        try await ExclusiveSection.run { try await Self.moveWithTwoInstances() }
    }

    private static func moveWithTwoInstances() async throws {
        try await TestSchema.ensureMigrated()
        let configuration = TestEnvironment.configuration()
        let clients = try StoreClients(configuration: configuration, logger: TestEnvironment.logger)
        let metrics = ServerMetrics(routes: APIRoutes.templates)
        let (_, service, _) = buildRoutes(clients: clients, configuration: configuration, logger: TestEnvironment.logger, metrics: metrics)
        let otherMetrics = ServerMetrics(routes: APIRoutes.templates)
        let (_, other, _) = buildRoutes(clients: clients, configuration: configuration, logger: TestEnvironment.logger, metrics: otherMetrics)
        do {
            let event = try await service.createEvent(name: "Expiry", totalSeats: 20)
            var holds: [Booking] = []
            for index in 0..<20 {
                holds.append(try await service.reserve(
                    ReservationRequest(.hold(seconds: 1), eventID: event.id, userID: TestEnvironment.uniqueUser("exp-\(index)")),
                    by: .trusted(isAdmin: false)
                ))
            }
            try await Task.sleep(for: .milliseconds(1100))
            // Two instances' tasks, small batches, at once.
            let tasks = [HoldExpiry(service: service, logger: TestEnvironment.logger, interval: .milliseconds(50), batchSize: 3),
                         HoldExpiry(service: other, logger: TestEnvironment.logger, interval: .milliseconds(50), batchSize: 3)]
            let group = ServiceGroup(configuration: .init(services: tasks.map { .init(service: $0) }, logger: TestEnvironment.logger))
            let running = Task { try await group.run() }
            let clock = ContinuousClock()
            let start = clock.now
            var expired = 0
            while clock.now - start < .seconds(10) {
                expired = 0
                for hold in holds where try await service.booking(id: hold.id, by: .trusted(isAdmin: true)).status == .expired {
                    expired += 1
                }
                let moved = try await TestDatabase.withClient { client in
                    try await client.query(PostgresQuery(
                        "SELECT count(*) FROM booking_history WHERE event_id = $1 AND status = 'expired'", binds: [.init(event.id)]
                    ))[0].decode(0, as: Int.self)
                }
                if moved == holds.count { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(expired == holds.count)
            let rows = try await TestDatabase.withClient { client in
                try await client.query(PostgresQuery("""
                    SELECT h.id, h.expires_at IS NOT NULL AND h.cancelled_at IS NULL,
                           (SELECT count(*) FROM outbox o WHERE o.routing_key = 'booking.expired'
                              AND (o.payload #>> '{booking,id}')::int8 = h.id)
                    FROM booking_history h WHERE h.event_id = $1
                    """, binds: [.init(event.id)]))
            }
            #expect(rows.count == holds.count)
            // Each message its own id, though one statement moved several holds.
            let ids = try await TestDatabase.withClient { client in
                try await client.query(PostgresQuery("""
                    SELECT count(*), count(DISTINCT message_id) FROM outbox
                    WHERE routing_key = 'booking.expired' AND (payload #>> '{booking,event_id}')::int8 = $1
                    """, binds: [.init(event.id)]))[0]
            }
            #expect(try ids.decode(0, as: Int.self) == holds.count)
            #expect(try ids.decode(1, as: Int.self) == holds.count, "message ids shared between rows")
            for row in rows {
                #expect(try row.decode(1, as: Bool.self))
                // One message each (no relay runs here, so every one is still in the outbox).
                #expect(try row.decode(2, as: Int.self) == 1)
            }
            #expect(try await service.event(id: event.id).availableSeats == 20)
            // And Redis: the seats are free for the next users.
            for index in 0..<20 {
                _ = try await service.reserve(
                    ReservationRequest(eventID: event.id, userID: TestEnvironment.uniqueUser("after-\(index)")), by: .trusted(isAdmin: false)
                )
            }
            // Both instances' counts add up to the holds moved (other tests' lapsed holds too).
            var counted = 0.0
            for exporter in [metrics.exporter, otherMetrics.exporter] {
                counted += PrometheusText(String(decoding: await exporter.exposition(), as: UTF8.self)).value("booking_holds_expired_total") ?? 0
            }
            #expect(counted >= Double(holds.count))
        } catch {
            await clients.close()
            throw error
        }
        await clients.close()
    }
}
