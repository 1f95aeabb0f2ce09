import Foundation
import Testing

/// `GET /api/bookings/user/{user_id}`, `GET /api/bookings/{id}`, `DELETE /api/bookings/{id}`.
@Suite("Booking reads and cancellation")
struct BookingReadAndCancelTests {
    // MARK: - List by user

    @Test func listIsNewestFirstAndPagesEndWithANullCursorExactlyAtTheEnd() async throws {
        try await TestServer.withAPI { api in
            let user = TestEnvironment.uniqueUser()
            var ids: [Int64] = []
            for index in 0..<4 {
                let event = try await api.createEvent(seats: 3, name: "Paged \(index)")
                let reply = try await api.reserve(event: event, user: user)
                ids.append(try #require(reply.bookingID, "\(reply)"))
            }
            let newestFirst = Array(ids.reversed())
            let path = "/api/bookings/user/\(user)"

            let all = try await api.get(path)
            #expect(all.status == 200, "\(all)")
            #expect(all.json?.object.map { Set($0.keys) } == ["success", "bookings", "next_cursor"])
            #expect(all.json?["bookings"]?.array?.compactMap { $0["id"]?.int } == newestFirst)
            #expect(all.json?["next_cursor"] == .null)
            for booking in all.json?["bookings"]?.array ?? [] {
                expectBookingShape(booking, event: booking["event_id"]?.int ?? -1, user: user, status: "confirmed", listed: true)
            }
            #expect(all.json?["bookings"]?.array?.first?["event_name"]?.string == "Paged 3")

            // 4 bookings, pages of 2: the second page is the last, so its cursor is null.
            let first = try await api.get(path + "?limit=2")
            #expect(first.json?["bookings"]?.array?.compactMap { $0["id"]?.int } == Array(newestFirst[0..<2]))
            let cursor = try #require(first.json?["next_cursor"]?.string, "a full page with more to come has a cursor: \(first)")
            let second = try await api.get(path + "?limit=2&cursor=\(percentEncoded(cursor))")
            #expect(second.status == 200, "\(second)")
            #expect(second.json?["bookings"]?.array?.compactMap { $0["id"]?.int } == Array(newestFirst[2..<4]))
            #expect(second.json?["next_cursor"] == .null, "no booking remains after the second page: \(second)")

            // Pages of 3: 3 then 1.
            let third = try await api.get(path + "?limit=3")
            let next = try #require(third.json?["next_cursor"]?.string)
            let last = try await api.get(path + "?limit=3&cursor=\(percentEncoded(next))")
            #expect(last.json?["bookings"]?.array?.compactMap { $0["id"]?.int } == [newestFirst[3]])
            #expect(last.json?["next_cursor"] == .null)
        }
    }

    @Test func statusFilterSelectsConfirmedOrCancelledBookings() async throws {
        try await TestServer.withAPI { api in
            let user = TestEnvironment.uniqueUser()
            let kept = try #require(try await api.reserve(event: try await api.createEvent(seats: 2), user: user).bookingID)
            let dropped = try #require(try await api.reserve(event: try await api.createEvent(seats: 2), user: user).bookingID)
            #expect(try await api.cancel(booking: dropped, user: user).status == 200)
            let path = "/api/bookings/user/\(user)"

            let confirmed = try await api.get(path + "?status=confirmed")
            #expect(confirmed.json?["bookings"]?.array?.compactMap { $0["id"]?.int } == [kept], "\(confirmed)")
            let cancelled = try await api.get(path + "?status=cancelled")
            #expect(cancelled.json?["bookings"]?.array?.compactMap { $0["id"]?.int } == [dropped], "\(cancelled)")
            expectBookingShape(cancelled.json?["bookings"]?.array?.first, event: cancelled.json?["bookings"]?.array?.first?["event_id"]?.int ?? -1,
                               user: user, status: "cancelled", listed: true)
            let all = try await api.get(path + "?status=all")
            #expect(Set(all.json?["bookings"]?.array?.compactMap { $0["id"]?.int } ?? []) == [kept, dropped])
            let defaulted = try await api.get(path)
            #expect(defaulted.json?["bookings"]?.array?.count == 2, "the default is all: \(defaulted)")
        }
    }

    /// Every status filter, first page and later pages (each a statement of its own), over
    /// confirmed and cancelled bookings that alternate in time, each in an event of its own
    /// (listed by a server other than the one that made them).
    @Test func everyStatusFilterPagesThroughConfirmedAndCancelledBookingsNewestFirst() async throws {
        let (user, newestFirst, eventNames) = try await TestServer.withAPI { api in
            let user = TestEnvironment.uniqueUser()
            var newestFirst: [(id: Int64, confirmed: Bool)] = []
            var eventNames: [Int64: String] = [:]
            for index in 0..<6 {
                let event = try await api.createEvent(seats: 2, name: "Mixed \(index)")
                eventNames[event] = "Mixed \(index)"
                let id = try #require(try await api.reserve(event: event, user: user).bookingID)
                if index % 2 == 1 { #expect(try await api.cancel(booking: id, user: user).status == 200) }
                newestFirst.insert((id, index % 2 == 0), at: 0)
            }
            return (user, newestFirst, eventNames)
        }
        try await TestServer.withAPI { api in
            let path = "/api/bookings/user/\(user)"
            for (status, expected) in [
                ("confirmed", newestFirst.filter(\.confirmed).map(\.id)),
                ("cancelled", newestFirst.filter { !$0.confirmed }.map(\.id)),
                ("all", newestFirst.map(\.id)),
            ] {
                var seen: [Int64] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let query = "?status=\(status)&limit=2" + (cursor.map { "&cursor=\(percentEncoded($0))" } ?? "")
                    let page = try await api.get(path + query)
                    #expect(page.status == 200, "\(page)")
                    let bookings = page.json?["bookings"]?.array ?? []
                    for booking in bookings {
                        let confirmed = booking["status"]?.string == "confirmed"
                        #expect(status == "all" || booking["status"]?.string == status, "\(booking)")
                        #expect(booking["cancelled_at"]?.isNull == confirmed, "\(booking)")
                        #expect(booking["event_name"]?.string == booking["event_id"]?.int.flatMap { eventNames[$0] }, "\(booking)")
                    }
                    seen += bookings.compactMap { $0["id"]?.int }
                    cursor = page.json?["next_cursor"]?.string
                    pages += 1
                } while cursor != nil && pages < 10
                #expect(seen == expected, "status \(status)")
                #expect(pages == (expected.count + 1) / 2, "status \(status): full pages, the last without a cursor")
            }
        }
    }

    @Test(arguments: [
        "?limit=0", "?limit=201", "?limit=abc", "?limit=-1", "?limit=01", "?limit=1.5", "?limit=", "?status=bogus",
        "?status=CONFIRMED", "?cursor=bogus", "?cursor=", "?cursor=%FF%FE", "?limit=1&limit=2",
    ])
    func invalidListQueryIs400(query: String) async throws {
        try await TestServer.withAPI { api in
            expectError(try await api.get("/api/bookings/user/\(TestEnvironment.uniqueUser())" + query), 400, "INVALID_REQUEST")
        }
    }

    @Test func limitOf1And200AreValid() async throws {
        try await TestServer.withAPI { api in
            for limit in [1, 200] {
                let reply = try await api.get("/api/bookings/user/\(TestEnvironment.uniqueUser())?limit=\(limit)")
                #expect(reply.status == 200, "limit=\(limit): \(reply)")
            }
        }
    }

    @Test(arguments: ["%00", "a%1Fb", "a%7Fb", "a%C2%9Fb", String(repeating: "a", count: 129), "%E0%A4"])
    func invalidUserIDInThePathIs400(segment: String) async throws {
        try await TestServer.withAPI { api in
            expectError(try await api.get("/api/bookings/user/\(segment)"), 400, "INVALID_REQUEST")
        }
    }

    @Test func unknownUserGetsAnEmptyList() async throws {
        try await TestServer.withAPI { api in
            let reply = try await api.get("/api/bookings/user/\(TestEnvironment.uniqueUser("nobody"))")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.json?["success"] == .bool(true))
            #expect(reply.json?["bookings"] == .array([]))
            #expect(reply.json?["next_cursor"] == .null)
        }
    }

    // MARK: - Get one

    @Test func getReturnsTheBookingAnd404ForAnUnknownId() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            let user = TestEnvironment.uniqueUser()
            let reserved = try await api.reserve(event: event, user: user)
            let id = try #require(reserved.bookingID)
            let reply = try await api.get("/api/bookings/\(id)")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.json?.object.map { Set($0.keys) } == ["success", "booking"])
            expectBookingShape(reply.booking, event: event, user: user, status: "confirmed")
            #expect(reply.booking == reserved.booking, "get shows what reserve answered")
            expectError(try await api.get("/api/bookings/9007199254740991"), 404, "BOOKING_NOT_FOUND")
        }
    }

    @Test(arguments: ["abc", "-1", "1.5", "01", "0", "+1", "1e3", "9007199254740992", "99999999999999999999"])
    func nonIntegerBookingIdIs400(id: String) async throws {
        try await TestServer.withAPI { api in
            expectError(try await api.get("/api/bookings/\(id)"), 400, "INVALID_REQUEST")
            expectError(try await api.delete("/api/bookings/\(id)", #"{"user_id":"u"}"#), 400, "INVALID_REQUEST")
        }
    }

    // MARK: - Cancel

    @Test func cancelAnswers200WithTheCancelledBookingAndTheSeatReturnsToThePool() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 1)
            let user = TestEnvironment.uniqueUser()
            let other = TestEnvironment.uniqueUser("other")
            let first = try await api.reserve(event: event, user: user)
            let id = try #require(first.bookingID)
            expectError(try await api.reserve(event: event, user: other), 409, "SOLD_OUT")

            let cancelled = try await api.cancel(booking: id, user: user)
            #expect(cancelled.status == 200, "\(cancelled)")
            #expect(cancelled.json?["success"] == .bool(true))
            expectBookingShape(cancelled.booking, event: event, user: user, status: "cancelled")
            #expect(cancelled.bookingID == id)
            #expect(cancelled.booking?["created_at"] == first.booking?["created_at"])
            let shown = try await api.get("/api/bookings/\(id)")
            #expect(shown.booking?["status"] == .string("cancelled"))
            #expect(isAPITimestamp(shown.booking?["cancelled_at"]))
            let cache = try await TestSeatCache.snapshot(event)
            #expect(cache.free == 1 && cache.takenSeats == 0, "the seat is back in the cache: \(cache)")

            // The user may book again: a new booking with a new id, on the returned seat.
            let again = try await api.reserve(event: event, user: user)
            #expect(again.status == 201, "\(again)")
            #expect(again.bookingID != id)
            #expect(again.seat == 1)
            expectError(try await api.reserve(event: event, user: other), 409, "SOLD_OUT")
            #expect(try await api.cancel(booking: try #require(again.bookingID), user: user).status == 200)
            let taken = try await api.reserve(event: event, user: other)
            #expect(taken.status == 201 && taken.seat == 1, "the seat went back to the pool: \(taken)")
            #expect(try await TestDatabase.bookingsOfUser(user) == 2)
        }
    }

    @Test func cancelTakesTheUserFromTheQueryOrTheBodyWhenTheyAgree() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let user = TestEnvironment.uniqueUser()
            let byQuery = try #require(try await api.reserve(event: event, user: user).bookingID)
            let reply = try await api.delete("/api/bookings/\(byQuery)?user_id=\(percentEncoded(user))")
            #expect(reply.status == 200 && reply.booking?["status"] == .string("cancelled"), "\(reply)")

            let byBoth = try #require(try await api.reserve(event: event, user: user).bookingID)
            let both = try await api.delete("/api/bookings/\(byBoth)?user_id=\(user)", #"{"user_id":"\#(user)"}"#)
            #expect(both.status == 200, "\(both)")
        }
    }

    @Test func cancelWithoutUserOrWithDisagreeingUsersIs400() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let user = TestEnvironment.uniqueUser()
            let id = try #require(try await api.reserve(event: event, user: user).bookingID)
            expectError(try await api.delete("/api/bookings/\(id)"), 400, "INVALID_REQUEST")
            expectError(try await api.delete("/api/bookings/\(id)", "{}"), 400, "INVALID_REQUEST")
            expectError(try await api.delete("/api/bookings/\(id)", "not json"), 400, "INVALID_REQUEST")
            expectError(try await api.delete("/api/bookings/\(id)", #"{"user_id":""}"#), 400, "INVALID_REQUEST")
            expectError(try await api.delete("/api/bookings/\(id)", #"{"user_id":7}"#), 400, "INVALID_REQUEST")
            expectError(try await api.delete("/api/bookings/\(id)?user_id=a%00b"), 400, "INVALID_REQUEST")
            expectError(
                try await api.delete("/api/bookings/\(id)?user_id=\(user)", #"{"user_id":"\#(user)x"}"#), 400, "INVALID_REQUEST"
            )
            let still = try await api.get("/api/bookings/\(id)")
            #expect(still.booking?["status"] == .string("confirmed"), "a 400 cancelled nothing: \(still)")
        }
    }

    @Test func cancelByAnotherUserIs403EvenOnceCancelled() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let owner = TestEnvironment.uniqueUser("owner")
            let intruder = TestEnvironment.uniqueUser("intruder")
            let id = try #require(try await api.reserve(event: event, user: owner).bookingID)
            expectError(try await api.cancel(booking: id, user: intruder), 403, "NOT_OWNER")
            #expect(try await api.get("/api/bookings/\(id)").booking?["status"] == .string("confirmed"))
            #expect(try await api.cancel(booking: id, user: owner).status == 200)
            // Ownership before state.
            expectError(try await api.cancel(booking: id, user: intruder), 403, "NOT_OWNER")
            expectError(try await api.cancel(booking: id, user: owner), 409, "ALREADY_CANCELLED")
        }
    }

    @Test func cancelOfAnUnknownBookingIs404() async throws {
        try await TestServer.withAPI { api in
            expectError(try await api.cancel(booking: 9_007_199_254_740_991, user: TestEnvironment.uniqueUser()), 404, "BOOKING_NOT_FOUND")
        }
    }
}
