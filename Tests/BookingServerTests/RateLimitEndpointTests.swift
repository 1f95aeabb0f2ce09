import BookingCore
import BookingCoreDoubles
@testable import BookingServer
import Testing

/// `RATE_LIMIT_PER_USER` through the router, with the limiter's clock stopped: every request of
/// a test happens "within the same second", however slow the machine.
@Suite("Reserve rate limit")
struct RateLimitEndpointTests {
    let clock = ManualClock()
    var options: TestServer.Options {
        var options = TestServer.Options()
        options.rateLimitPerUser = 20
        options.rateLimitClock = clock.read
        return options
    }

    @Test func twentyFirstAttemptWithinASecondIs429WithRetryAfterAndBooksNothing() async throws {
        let user = TestEnvironment.uniqueUser("limited")
        try await TestServer.withAPI(options: options) { api in
            let first = try await api.createEvent(seats: 10)
            let second = try await api.createEvent(seats: 10)
            #expect(try await api.reserve(event: first, user: user).status == 201)
            for _ in 2...20 {
                // Refusals count too: each cost the stores a round trip.
                expectError(try await api.reserve(event: first, user: user), 409, "ALREADY_BOOKED")
            }
            let refused = try await api.reserve(event: second, user: user)
            expectError(refused, 429, "RATE_LIMITED")
            #expect(refused.headers["retry-after"] == "1", "\(refused.headers)")
            #expect(try await TestDatabase.confirmedBookings(event: second).count == 0)
            #expect(try await TestDatabase.bookingsOfUser(user) == 1)

            // Another user is not held back, and the user is let through once the second is over.
            #expect(try await api.reserve(event: second, user: TestEnvironment.uniqueUser("other")).status == 201)
            clock.advance(by: .seconds(2))
            #expect(try await api.reserve(event: second, user: user).status == 201)
        }
    }

    @Test func invalidRequestsAreAnsweredBeforeTheLimit() async throws {
        let user = TestEnvironment.uniqueUser("limited")
        try await TestServer.withAPI(options: options) { api in
            let event = try await api.createEvent(seats: 5)
            for _ in 1...25 {
                expectError(try await api.post("/api/bookings/reserve", #"{"event_id":"x","user_id":"\#(user)"}"#), 400, "INVALID_REQUEST")
            }
            #expect(try await api.reserve(event: event, user: user).status == 201, "400s do not use the budget")
        }
    }

    @Test func aRefusedAttemptLeavesItsIdempotencyKeyUnused() async throws {
        let user = TestEnvironment.uniqueUser("limited")
        try await TestServer.withAPI(options: options) { api in
            let first = try await api.createEvent(seats: 5)
            let second = try await api.createEvent(seats: 5)
            for _ in 1...20 { _ = try await api.reserve(event: first, user: user) }
            expectError(try await api.reserve(event: second, user: user, key: "retry-me"), 429, "RATE_LIMITED")
            clock.advance(by: .seconds(2))
            // The 429 was not stored: the same key is a fresh attempt, which books.
            let retried = try await api.reserve(event: second, user: user, key: "retry-me")
            #expect(retried.status == 201, "\(retried)")
            // Replays count against the limit like any attempt (see BookingRoutes.reserve).
            for _ in 2...20 { #expect(try await api.reserve(event: second, user: user, key: "retry-me").status == 201) }
            expectError(try await api.reserve(event: second, user: user, key: "retry-me"), 429, "RATE_LIMITED")
        }
    }
}
