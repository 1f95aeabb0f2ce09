import Foundation
import Postgres
import Redis
import Synchronization
import Testing

@testable import BookingServer

/// The acceptance's checkout flash sale, on the real PostgreSQL and Redis (docs/api.md, "POST
/// /api/bookings/hold"): 1,000 seats, 3,000 users hold at once; of the 1,000 who hold, a third
/// confirm, a third cancel and a third let the hold lapse (3 s); then 1,000 new users reserve.
/// PostgreSQL ends with exactly 1,000 live bookings, no seat or user twice, and one outbox message
/// per status change. The same with the event's Redis keys deleted halfway, with Redis
/// unreachable, and with the requests split over two server instances. The expiry task is off
/// (as in every test server): the lapsed holds are taken over by the bookings that meet them.
/// The accounting is exact whatever the timing: through PostgreSQL alone (Redis unreachable) the
/// 3,000 holds take longer than a hold lasts, so early holds lapse and their seats are held again
/// before the last users ask, and a confirm or cancel may meet a lapsed hold (`HOLD_EXPIRED`).
@Suite("Checkout sale", .serialized)
struct CheckoutSaleTests {
    static let seats = 1_000

    enum Variant: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case plain, redisKeysDeletedHalfway, redisUnreachable, twoInstances
        var testDescription: String { rawValue }
    }

    /// One request per item, at most `concurrency` in flight; the answers in the items' order.
    private static func each<Item: Sendable>(
        _ items: [Item], concurrency: Int = 64, _ body: @Sendable @escaping (Int, Item) async throws -> Reply
    ) async throws -> [Reply] {
        try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
            var replies = [Reply?](repeating: nil, count: items.count)
            for (index, item) in items.enumerated() {
                if index >= concurrency, let (done, reply) = try await group.next() { replies[done] = reply }
                group.addTask { (index, try await body(index, item)) }
            }
            for try await (done, reply) in group { replies[done] = reply }
            return replies.map { $0! }
        }
    }

    @Test(arguments: Variant.allCases)
    func aCheckoutSaleEndsWithExactlyItsSeatsAndOneMessagePerChange(_ variant: Variant) async throws {
        let redisURL = variant == .redisUnreachable ? TestEnvironment.unreachableRedisURL : TestEnvironment.redisURL
        try await ExclusiveSection.run {
            try await TestServer.withAPI(redisURL: redisURL) { first in
                try await TestServer.withAPI(redisURL: redisURL) { second in
                    let servers: [RouterAPI] = variant == .twoInstances ? [first, second] : [first]
                    try await Self.sale(variant: variant, servers: servers)
                }
            }
        }
    }

    private static func sale(variant: Variant, servers: [RouterAPI]) async throws {
        let api = servers[0]
        let event = try await api.createEvent(seats: seats)
        let run = UUID().uuidString.prefix(8)
        let redis = RedisClient(configuration: try RedisConfiguration(url: TestEnvironment.redisURL), logger: TestEnvironment.logger)
        defer { redis.close() }
        let deleted = Atomic<Bool>(false)

        // 3,000 users hold at once; 1,000 seats.
        let start = ContinuousClock.now
        let holders = (0..<3 * seats).map { "co-\(run)-\($0)" }
        let holds = try await each(holders) { index, user in
            if variant == .redisKeysDeletedHalfway, index == holders.count / 2,
               deleted.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
                try await TestSeatCache.deleteKeys(event, client: redis)
            }
            return try await servers[index % servers.count].hold(event: event, user: user, seconds: 3)
        }
        let clock = ContinuousClock()
        let holdingTook = clock.now - start
        let held = zip(holders, holds).filter { $0.1.status == 201 }
        #expect(held.count >= seats, "holds granted")
        if holdingTook < .seconds(3) {
            #expect(held.count == seats, "every hold was live while the others asked")
            #expect(Set(held.compactMap { $0.1.seat }).count == seats, "no seat held twice")
        }
        #expect(holds.filter { $0.status != 201 }.allSatisfy { $0.status == 409 && $0.code == "SOLD_OUT" })

        // A third confirm, a third cancel, a third let their hold lapse.
        let confirming = held.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        let cancelling = held.enumerated().filter { $0.offset % 3 == 1 }.map(\.element)
        let confirms = try await each(confirming) { index, holder in
            try await servers[index % servers.count].confirm(booking: holder.1.bookingID!, user: holder.0)
        }
        let cancels = try await each(cancelling) { index, holder in
            try await servers[index % servers.count].cancel(booking: holder.1.bookingID!, user: holder.0)
        }
        // A hold lapsed already (only when holding took longer than a hold lasts) is HOLD_EXPIRED.
        for reply in confirms + cancels where reply.status != 200 { expectError(reply, 409, "HOLD_EXPIRED") }
        let confirmed = confirms.filter { $0.status == 200 }.count
        let cancelled = cancels.filter { $0.status == 200 }.count
        let lapsing = held.count - confirmed - cancelled
        if holdingTook < .seconds(2) { #expect(confirmed == confirming.count && cancelled == cancelling.count) }
        if variant == .redisKeysDeletedHalfway { try await TestSeatCache.deleteKeys(event, client: redis) }

        // Past the holds' end, 1,000 newcomers reserve: the cancelled and the lapsed seats are theirs.
        try await Task.sleep(for: .milliseconds(3300))
        let newcomers = (0..<seats).map { "co-\(run)-new-\($0)" }
        let reserves = try await each(newcomers) { index, user in
            try await servers[index % servers.count].reserve(event: event, user: user)
        }
        let won = reserves.filter { $0.status == 201 }.count
        #expect(won == seats - confirmed, "newcomers' seats")
        #expect(reserves.filter { $0.status != 201 }.allSatisfy { $0.status == 409 && $0.code == "SOLD_OUT" })

        // PostgreSQL: exactly the seats, live; no seat or user twice.
        let stored = try await TestDatabase.confirmedBookings(event: event)
        #expect(stored == .init(count: seats, distinctSeats: seats, distinctUsers: seats, minSeat: 1, maxSeat: seats), "\(stored)")
        let counts = try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery("""
                SELECT (SELECT count(*) FROM bookings WHERE event_id = $1 AND expires_at IS NOT NULL),
                       (SELECT count(*) FROM booking_history WHERE event_id = $1 AND status = 'cancelled'),
                       (SELECT count(*) FROM booking_history WHERE event_id = $1 AND status = 'expired')
                """, binds: [.init(Int64(event))]))[0]
        }
        #expect(try counts.decode(0, as: Int.self) == 0, "no hold left in bookings")
        #expect(try counts.decode(1, as: Int.self) == cancelled)
        #expect(try counts.decode(2, as: Int.self) == lapsing)

        // One message per status change: held for every hold, confirmed for every confirm and
        // reserve, cancelled and expired for the others; each id once. (No relay runs in the
        // exclusive section, so every message is still in the outbox.)
        let messages = try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery("""
                SELECT routing_key, count(*), count(DISTINCT message_id), count(DISTINCT (payload #>> '{booking,id}'))
                FROM outbox WHERE (payload #>> '{booking,event_id}')::int8 = $1 GROUP BY routing_key
                """, binds: [.init(Int64(event))]))
        }
        var byKey: [String: (count: Int, ids: Int, bookings: Int)] = [:]
        for row in messages {
            byKey[try row.decode(0, as: String.self)] = (try row.decode(1), try row.decode(2), try row.decode(3))
        }
        #expect(byKey["booking.held"]?.count == held.count)
        #expect(byKey["booking.confirmed"]?.count == confirmed + won)
        #expect(byKey["booking.cancelled"]?.count == cancelled)
        #expect(byKey["booking.expired"]?.count == lapsing)
        for (key, figures) in byKey {
            #expect(figures.ids == figures.count, "\(key): a message id twice")
            #expect(figures.bookings == figures.count, "\(key): a booking announced twice")
        }
        let shown = try await api.get("/api/events/\(event)")
        #expect(shown.json?["event"]?["booked_seats"]?.int == Int64(seats))
        #expect(shown.json?["event"]?["held_seats"]?.int == 0)
        #expect(shown.json?["event"]?["available_seats"]?.int == 0)
        print("""
            checkout sale (\(variant.rawValue)): \(held.count) holds granted to \(holders.count) users in \(holdingTook); \
            \(confirmed) confirmed, \(cancelled) cancelled, \(lapsing) lapsed; \(won) newcomers booked; PostgreSQL \(stored.count) live
            """)
    }
}
