import BookingCore
import Foundation
import Postgres
import Testing

@testable import BookingServer

/// `POST /api/bookings/hold`, `POST /api/bookings/{id}/confirm` and the cancel of a hold
/// (docs/api.md), on the real PostgreSQL and Redis, with the expiry task off: a hold lapses
/// exactly at its end by PostgreSQL's clock, before anything has moved it.
@Suite("Holds over HTTP")
struct HoldEndpointTests {
    /// µs since 1970 of an API timestamp.
    private func microseconds(_ json: JSON?) throws -> Int64 {
        let text = try #require(json?.string)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(formatter.date(from: text), "not a timestamp: \(text)")
        return Int64((date.timeIntervalSince1970 * 1000).rounded()) * 1000
    }

    private func nowMicroseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    @Test func aHoldIs201HeldWithItsEndAndCountsAsHeld() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 3)
            let user = TestEnvironment.uniqueUser("hold")
            let before = nowMicroseconds()
            let reply = try await api.hold(event: event, user: user, seconds: 120)
            #expect(reply.status == 201, "\(reply)")
            expectBookingShape(reply.booking, event: event, user: user, status: "held")
            let ends = try microseconds(reply.booking?["expires_at"])
            #expect(ends >= before + 119_000_000 && ends <= nowMicroseconds() + 121_000_000)
            let shown = try await api.get("/api/events/\(event)")
            #expect(shown.json?["event"]?["held_seats"]?.int == 1)
            #expect(shown.json?["event"]?["booked_seats"]?.int == 0)
            #expect(shown.json?["event"]?["available_seats"]?.int == 2)
            // Without hold_seconds, or with null: HOLD_SECONDS (600).
            for body in [#"{"event_id":\#(event),"user_id":"\#(user)-2"}"#, #"{"event_id":\#(event),"user_id":"\#(user)-3","hold_seconds":null}"#] {
                let defaulted = try await api.post("/api/bookings/hold", body)
                #expect(defaulted.status == 201, "\(defaulted)")
                let end = try microseconds(defaulted.booking?["expires_at"])
                #expect(abs(end - nowMicroseconds() - 600_000_000) < 5_000_000)
            }
            // A live hold is a booking for every guarantee.
            expectError(try await api.reserve(event: event, user: user), 409, "ALREADY_BOOKED")
            expectError(try await api.reserve(event: event, user: TestEnvironment.uniqueUser("other")), 409, "SOLD_OUT")
        }
    }

    @Test(arguments: ["0", "3601", "\"5\"", "5.0", "5e0", "true", "-1", "[]"])
    func holdSecondsOutsideOneToAnHourOrNotAnIntegerIs400(_ value: String) async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 1)
            let reply = try await api.post("/api/bookings/hold", #"{"event_id":\#(event),"user_id":"u","hold_seconds":\#(value)}"#)
            expectError(reply, 400, "INVALID_REQUEST")
        }
    }

    @Test func confirmMakesAHoldConfirmedOnceAndAnswersItAgain() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            let user = TestEnvironment.uniqueUser("confirm")
            let id = try #require(try await api.hold(event: event, user: user, seconds: 60).bookingID)
            expectError(try await api.confirm(booking: id, user: TestEnvironment.uniqueUser("other")), 403, "NOT_OWNER")
            expectError(try await api.confirm(booking: 999_999_999_999, user: user), 404, "BOOKING_NOT_FOUND")
            expectError(try await api.post("/api/bookings/\(id)/confirm", "{}"), 400, "INVALID_REQUEST")
            let confirmed = try await api.confirm(booking: id, user: user)
            #expect(confirmed.status == 200, "\(confirmed)")
            expectBookingShape(confirmed.booking, event: event, user: user, status: "confirmed")
            #expect(confirmed.booking?["expires_at"] == .null)
            let again = try await api.confirm(booking: id, user: user)
            #expect(again.status == 200)
            #expect(again.booking == confirmed.booking)
            let shown = try await api.get("/api/events/\(event)")
            #expect(shown.json?["event"]?["booked_seats"]?.int == 1)
            #expect(shown.json?["event"]?["held_seats"]?.int == 0)
            #expect(try await api.cancel(booking: id, user: user).status == 200)
            expectError(try await api.confirm(booking: id, user: user), 409, "ALREADY_CANCELLED")
            // ?user_id= as for a cancel.
            let other = try #require(try await api.hold(event: event, user: user, seconds: 60).bookingID)
            #expect(try await api.post("/api/bookings/\(other)/confirm?user_id=\(user)", "").status == 200)
        }
    }

    @Test func aCancelledHoldFreesItsSeatAndALapsedOneIsHoldExpired() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 1)
            let user = TestEnvironment.uniqueUser("cancel")
            let id = try #require(try await api.hold(event: event, user: user, seconds: 60).bookingID)
            let cancelled = try await api.cancel(booking: id, user: user)
            #expect(cancelled.status == 200)
            expectBookingShape(cancelled.booking, event: event, user: user, status: "cancelled")
            #expect(cancelled.booking?["expires_at"] == .null)
            let lapsing = try #require(try await api.hold(event: event, user: user, seconds: 1).bookingID)
            try await Task.sleep(for: .milliseconds(1200))
            expectError(try await api.cancel(booking: lapsing, user: user), 409, "HOLD_EXPIRED")
            expectError(try await api.confirm(booking: lapsing, user: user), 409, "HOLD_EXPIRED")
            let shown = try await api.get("/api/bookings/\(lapsing)")
            #expect(shown.booking?["status"]?.string == "expired")
            #expect(shown.booking?["expires_at"] != .null)
            let listed = try await api.get("/api/bookings/user/\(user)?status=expired")
            #expect(listed.json?["bookings"]?.array?.compactMap { $0["id"]?.int } == [lapsing])
            #expect(try await api.get("/api/bookings/user/\(user)?status=held").json?["bookings"]?.array?.isEmpty == true)
            #expect(try await api.get("/api/bookings/user/\(user)?status=cancelled").json?["bookings"]?.array?.count == 1)
        }
    }

    /// The acceptance's exact expiry: with no expiry task, a 2-second hold's seat goes to another
    /// user from its `expires_at` on (within 300 ms, the polling's grain and this machine's
    /// load), never before, and its user books again.
    @Test func aTwoSecondHoldsSeatIsTakenByAnotherJustAfterItsEndAndItsUserBooksAgain() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 1)
            let holder = TestEnvironment.uniqueUser("lapse")
            let held = try await api.hold(event: event, user: holder, seconds: 2)
            let ends = try microseconds(held.booking?["expires_at"])
            let taker = TestEnvironment.uniqueUser("taker")
            // The request that took it was sent at `asked` and answered at `answered`: PostgreSQL
            // took it somewhere between.
            var taken: (asked: Int64, answered: Int64)?
            var refusedAfterTheEnd = 0
            while nowMicroseconds() < ends + 3_000_000 {
                let asked = nowMicroseconds()
                let reply = try await api.reserve(event: event, user: taker)
                if reply.status == 201 {
                    taken = (asked, nowMicroseconds())
                    break
                }
                expectError(reply, 409, "SOLD_OUT")
                if asked > ends { refusedAfterTheEnd += 1 }
                try await Task.sleep(for: .milliseconds(10))
            }
            let (asked, answered) = try #require(taken, "the seat was never taken")
            #expect(answered >= ends, "taken \(ends - answered) µs before the hold's end")
            #expect(asked - ends <= 300_000, "taken by a request sent \(asked - ends) µs after the hold's end")
            // Its user is free to book the event again (and finds it sold out to the taker).
            expectError(try await api.reserve(event: event, user: holder), 409, "SOLD_OUT")
            print("exact expiry: the seat was taken by a request sent \(Double(asked - ends) / 1000) ms after expires_at; \(refusedAfterTheEnd) refused after it")
        }
    }

    @Test func itsUserBooksAgainFromTheEnd() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            let user = TestEnvironment.uniqueUser("again")
            let held = try await api.hold(event: event, user: user, seconds: 1)
            expectError(try await api.reserve(event: event, user: user), 409, "ALREADY_BOOKED")
            try await Task.sleep(for: .milliseconds(1100))
            let again = try await api.reserve(event: event, user: user)
            #expect(again.status == 201, "\(again)")
            #expect(again.bookingID != held.bookingID)
        }
    }

    /// The acceptance's race: confirms sent 50 ms before and 50 ms after `expires_at`, 20 of each.
    /// Whatever each answers agrees with PostgreSQL: a confirmed one's commit came before the end
    /// (its `booking.confirmed` message is dated before it), and its seat is then taken; an expired
    /// one's seat goes to the next user. Never both a confirm and a new holder.
    /// Exclusive: it times requests to 50 ms of an end, which a flash sale beside it would blur.
    @Test func confirmsRacingTheEndAgreeWithPostgreSQL() async throws {
        try await ExclusiveSection.run { try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 40)
            let holds = try await withThrowingTaskGroup(of: (Int, Int64, Int64, String).self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let user = TestEnvironment.uniqueUser("race-\(index)")
                        let reply = try await api.hold(event: event, user: user, seat: index + 1, seconds: 1)
                        return (index, try #require(reply.bookingID, "hold \(index): \(reply)"), try microseconds(reply.booking?["expires_at"]), user)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, Int64, Int64, Reply).self) { group in
                for (index, id, ends, user) in holds {
                    group.addTask {
                        let at = ends + (index < 20 ? -50_000 : 50_000)
                        let wait = at - nowMicroseconds()
                        if wait > 0 { try await Task.sleep(for: .microseconds(wait)) }
                        let reply = try await api.confirm(booking: id, user: user)
                        return (index, id, ends, reply)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await Task.sleep(for: .milliseconds(100))
            var confirmedBefore = 0
            for (index, id, ends, reply) in outcomes {
                let status = reply.status
                let shown = try await api.get("/api/bookings/\(id)")
                let newcomer = try await api.reserve(event: event, user: TestEnvironment.uniqueUser("next"), seat: index + 1)
                if status == 200 {
                    #expect(index < 20, "a confirm sent after the end won: \(reply)")
                    #expect(shown.booking?["status"]?.string == "confirmed", "\(index): \(shown)")
                    expectError(newcomer, 409, "SEAT_TAKEN")
                    let committed = try await TestDatabase.withClient { client in
                        try await client.query(PostgresQuery("""
                            SELECT epoch_us((payload ->> 'occurred_at')::timestamptz) FROM outbox
                            WHERE routing_key = 'booking.confirmed' AND (payload #>> '{booking,id}')::int8 = $1
                            """, binds: [.init(id)]))
                    }
                    if let row = committed.first {
                        #expect(try row.decode(0, as: Int64.self) <= ends, "confirmed after the end")
                    }
                    confirmedBefore += 1
                } else {
                    #expect(status == 409, "confirm \(index): \(reply)")
                    #expect(shown.booking?["status"]?.string == "expired", "\(index) after a \(status): \(shown)")
                    #expect(newcomer.status == 201, "the lapsed hold's seat \(index + 1): \(newcomer)")
                }
            }
            print("confirm race: \(confirmedBefore) of 20 sent 50 ms before the end confirmed; all 20 sent after it refused")
        } }
    }

    @Test func aHoldsIdempotencyKeyAnswersTheSameHoldAndIsNotAReserveKey() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 3)
            let user = TestEnvironment.uniqueUser("idem")
            let first = try await api.hold(event: event, user: user, seconds: 60, key: "checkout-1")
            let again = try await api.hold(event: event, user: user, seconds: 60, key: "checkout-1")
            #expect(first.status == 201)
            #expect(again.status == 201)
            #expect(again.text == first.text, "the first answer, byte for byte")
            expectError(try await api.hold(event: event, user: user, seconds: 30, key: "checkout-1"), 422, "IDEMPOTENCY_KEY_REUSED")
            expectError(try await api.reserve(event: event, user: user, key: "checkout-1"), 422, "IDEMPOTENCY_KEY_REUSED")
        }
    }
}
