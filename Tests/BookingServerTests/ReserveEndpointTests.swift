import AsyncHTTPClient
import Foundation
import Hummingbird
import Testing

/// `POST /api/bookings/reserve`: every answer of docs/api.md, against the real stores.
@Suite("Reserve endpoint")
struct ReserveEndpointTests {
    @Test func reserveAnswers201WithTheWholeBooking() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let user = TestEnvironment.uniqueUser()
            let reply = try await api.reserve(event: event, user: user)
            #expect(reply.status == 201, "\(reply)")
            #expect(reply.json?.object.map { Set($0.keys) } == ["success", "booking"], "\(reply)")
            #expect(reply.json?["success"] == .bool(true))
            expectBookingShape(reply.booking, event: event, user: user, status: "confirmed")
            #expect(reply.seat == 1, "the first free seat of a fresh event is seat 1: \(reply)")
            #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true)
        }
    }

    @Test func askedForSeatIsTheSeatBooked() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 10)
            let reply = try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 7)
            #expect(reply.status == 201, "\(reply)")
            #expect(reply.seat == 7)
            let last = try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 10)
            #expect(last.status == 201 && last.seat == 10, "seat_no equal to total_seats is valid: \(last)")
        }
    }

    @Test func unknownFieldsAreIgnoredAndContentTypeIsNotEnforced() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 3)
            let reply = try await api.post(
                "/api/bookings/reserve",
                #"{"note": {"a": [1, 2.5, null]}, "user_id": "\#(TestEnvironment.uniqueUser())", "event_id": \#(event)}"#,
                headers: [.contentType: "text/plain"]
            )
            #expect(reply.status == 201, "\(reply)")
        }
    }

    @Test(arguments: [
        "", "not json", "{", #"{"event_id": 1, "user_id": "u""#, "[]", #"["event_id", 1]"#, "null", "42",
        #"{"event_id": 1, "user_id": "u"} trailing"#, #"{"event_id": 1, "user_id": "u",}"#, "\u{FEFF}{}",
        #"{"user_id": "u"}"#, #"{"event_id": 1}"#, "{}",
    ])
    func malformedOrIncompleteBodyIs400(body: String) async throws {
        try await TestServer.withAPI { api in
            expectError(try await api.post("/api/bookings/reserve", body), 400, "INVALID_REQUEST")
        }
    }

    @Test(arguments: [
        #""1""#, "7.0", "7e0", "7E0", "1.5", "true", "false", "null", "0", "-1", "-0",
        "9007199254740992", "9223372036854775808", "18446744073709551616", "[1]", #"{"id": 1}"#,
    ])
    func eventIDThatIsNotAnIntegerInRangeIs400(eventID: String) async throws {
        try await TestServer.withAPI { api in
            let reply = try await api.post("/api/bookings/reserve", #"{"event_id": \#(eventID), "user_id": "someone"}"#)
            expectError(reply, 400, "INVALID_REQUEST")
        }
    }

    @Test func largestValidEventIDIsLookedUpAnd404() async throws {
        try await TestServer.withAPI { api in
            let reply = try await api.post("/api/bookings/reserve", #"{"event_id": 9007199254740991, "user_id": "someone"}"#)
            expectError(reply, 404, "EVENT_NOT_FOUND")
        }
    }

    @Test(arguments: [
        #""""#, #""\#(String(repeating: "a", count: 129))""#, #""\#(String(repeating: "🎟", count: 129))""#,
        #""a\u0000b""#, #""a\u001fb""#, "\"a\u{7F}b\"", #""a\u007fb""#, "\"a\u{9F}b\"", #""a\u009fb""#, "\"a\u{80}\"",
        #""tab\tinside""#, #""line\nbreak""#, "1", "true", "null", #"["u"]"#,
    ])
    func invalidUserIDIs400(userID: String) async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            let reply = try await api.post("/api/bookings/reserve", #"{"event_id": \#(event), "user_id": \#(userID)}"#)
            expectError(reply, 400, "INVALID_REQUEST")
            let state = try await TestDatabase.confirmedBookings(event: event)
            #expect(state.count == 0, "an invalid request booked something")
        }
    }

    @Test(arguments: [String(repeating: "a", count: 128), String(repeating: "🎟", count: 128), "zero\u{200B}width\u{00A0}"])
    func userIDOfUpTo128ScalarsWithoutControlCharactersIsAccepted(user: String) async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            // A unique event, so the same long id used by another run cannot collide.
            let reply = try await api.reserve(event: event, user: user)
            #expect(reply.status == 201, "\(reply)")
            expectBookingShape(reply.booking, event: event, user: user, status: "confirmed")
        }
    }

    @Test(arguments: ["0", "-1", "1.0", "1e0", #""1""#, "true", "null", "9007199254740992"])
    func invalidSeatNumberIs400(seat: String) async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let reply = try await api.post(
                "/api/bookings/reserve", #"{"event_id": \#(event), "user_id": "\#(TestEnvironment.uniqueUser())", "seat_no": \#(seat)}"#
            )
            expectError(reply, 400, "INVALID_REQUEST")
        }
    }

    @Test func seatAboveTotalSeatsIs400ForAnExistingEventAnd404ForAnUnknownOne() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let user = TestEnvironment.uniqueUser()
            expectError(try await api.reserve(event: event, user: user, seat: 6), 400, "INVALID_REQUEST")
            // Same, once the event's seat cache is warm.
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser()).status == 201)
            expectError(try await api.reserve(event: event, user: user, seat: 6), 400, "INVALID_REQUEST")
            expectError(try await api.reserve(event: 9_007_199_254_740_991, user: user, seat: 6), 404, "EVENT_NOT_FOUND")
            #expect(try await TestDatabase.confirmedBookings(event: event).count == 1)
        }
    }

    @Test func secondReservationBySameUserIsAlreadyBooked() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let user = TestEnvironment.uniqueUser()
            #expect(try await api.reserve(event: event, user: user).status == 201)
            expectError(try await api.reserve(event: event, user: user), 409, "ALREADY_BOOKED")
            expectError(try await api.reserve(event: event, user: user, seat: 4), 409, "ALREADY_BOOKED")
            #expect(try await TestDatabase.confirmedBookings(event: event).count == 1)
        }
    }

    @Test func askedForSeatHeldBySomeoneElseIsSeatTaken() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 3).status == 201)
            expectError(try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 3), 409, "SEAT_TAKEN")
        }
    }

    @Test func eventWithNoSeatLeftIsSoldOut() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser()).status == 201)
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser()).status == 201)
            expectError(try await api.reserve(event: event, user: TestEnvironment.uniqueUser()), 409, "SOLD_OUT")
        }
    }

    /// ALREADY_BOOKED wins over SEAT_TAKEN, which wins over SOLD_OUT.
    @Test(arguments: [false, true])
    func conflictsAnswerInTheContractsOrder(redisUnreachable: Bool) async throws {
        let redisURL = redisUnreachable ? TestEnvironment.unreachableRedisURL : TestEnvironment.redisURL
        try await TestServer.withAPI(redisURL: redisURL) { api in
            let event = try await api.createEvent(seats: 2)
            let holder = TestEnvironment.uniqueUser("holder")
            let other = TestEnvironment.uniqueUser("other")
            #expect(try await api.reserve(event: event, user: holder, seat: 1).status == 201)
            // Holder asks for a seat someone else holds: already booked beats seat taken.
            #expect(try await api.reserve(event: event, user: other, seat: 2).status == 201)
            expectError(try await api.reserve(event: event, user: holder, seat: 2), 409, "ALREADY_BOOKED")
            // Now sold out. A holder asking for any seat: already booked beats sold out.
            expectError(try await api.reserve(event: event, user: holder), 409, "ALREADY_BOOKED")
            // A newcomer asking for a taken seat of a sold-out event: seat taken beats sold out.
            let newcomer = TestEnvironment.uniqueUser("new")
            expectError(try await api.reserve(event: event, user: newcomer, seat: 1), 409, "SEAT_TAKEN")
            expectError(try await api.reserve(event: event, user: newcomer), 409, "SOLD_OUT")
            // Range is checked before any conflict.
            expectError(try await api.reserve(event: event, user: holder, seat: 3), 400, "INVALID_REQUEST")
        }
    }

    @Test func unknownEventIs404() async throws {
        try await TestServer.withAPI { api in
            expectError(try await api.reserve(event: 9_007_199_254_740_990, user: TestEnvironment.uniqueUser()), 404, "EVENT_NOT_FOUND")
        }
    }

    @Test func bodyOfExactly65536BytesIsAcceptedAndOneByteMoreIs413() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            let json = #"{"event_id": \#(event), "user_id": "\#(TestEnvironment.uniqueUser())"}"#
            let exact = json + String(repeating: " ", count: 65_536 - json.utf8.count)
            #expect(exact.utf8.count == 65_536)
            let accepted = try await api.post("/api/bookings/reserve", exact)
            #expect(accepted.status == 201, "a 65,536-byte body is within the limit: \(accepted)")

            let over = json + String(repeating: " ", count: 65_537 - json.utf8.count)
            let refused = try await api.post("/api/bookings/reserve", over)
            expectError(refused, 413, "PAYLOAD_TOO_LARGE")
            // 413 comes before any other check, even for a body that is not JSON at all.
            expectError(try await api.post("/api/bookings/reserve", String(repeating: "x", count: 100_000)), 413, "PAYLOAD_TOO_LARGE")
            #expect(try await TestDatabase.confirmedBookings(event: event).count == 1)
        }
    }

    @Test func chunkedBodyOverTheLimitIs413() async throws {
        try await TestServer.withLiveAPI { api in
            var request = HTTPClientRequestFactory.chunked(url: api.baseURL + "/api/bookings/reserve", bytes: 70_000)
            request.method = .POST
            expectError(try await api.execute(request), 413, "PAYLOAD_TOO_LARGE")
        }
    }
}
