@testable import BookingServer
import Foundation
import Hummingbird
import Testing

/// `Idempotency-Key` on reserve: replay of the first final answer, 422 on reuse, 400 on a bad key.
@Suite("Idempotency-Key on reserve")
struct IdempotencyKeyTests {
    @Test func retryWithSameKeyReplaysTheFirst201AndBooksNothingNew() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let user = TestEnvironment.uniqueUser()
            let key = "key-\(UUID().uuidString)"
            let first = try await api.post(
                "/api/bookings/reserve", #"{"event_id":\#(event),"user_id":"\#(user)"}"#, headers: [.idempotencyKey: key]
            )
            #expect(first.status == 201, "\(first)")
            // Same request, other key order and spacing.
            let retry = try await api.post(
                "/api/bookings/reserve", "{ \"user_id\" : \"\(user)\" ,\n \"event_id\": \(event) }", headers: [.idempotencyKey: key]
            )
            #expect(retry.status == 201, "\(retry)")
            #expect(retry.body == first.body, "the replay is the first body, byte for byte: \(first) vs \(retry)")
            #expect(retry.bookingID == first.bookingID)
            #expect(try await TestDatabase.bookingsOfUser(user) == 1)
            #expect(try await TestDatabase.confirmedBookings(event: event).count == 1)
        }
    }

    @Test func retryWithSameKeyReplaysTheFirst409EvenWhenASeatFreedSince() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 1)
            let holder = TestEnvironment.uniqueUser("holder")
            let late = TestEnvironment.uniqueUser("late")
            let key = "key-\(UUID().uuidString)"
            let held = try await api.reserve(event: event, user: holder)
            #expect(held.status == 201)
            let first = try await api.reserve(event: event, user: late, key: key)
            expectError(first, 409, "SOLD_OUT")
            #expect(try await api.cancel(booking: try #require(held.bookingID), user: holder).status == 200)
            let retry = try await api.reserve(event: event, user: late, key: key)
            #expect(retry.status == 409, "\(retry)")
            #expect(retry.body == first.body, "the replay is the first 409: \(retry)")
            #expect(try await TestDatabase.bookingsOfUser(late) == 0, "a replay booked something")
            // Without the key the seat is there to take.
            #expect(try await api.reserve(event: event, user: late).status == 201)
        }
    }

    @Test func sameKeyWithADifferentRequestIs422() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let other = try await api.createEvent(seats: 5)
            let user = TestEnvironment.uniqueUser()
            let key = "key-\(UUID().uuidString)"
            #expect(try await api.reserve(event: event, user: user, key: key).status == 201)
            expectError(try await api.reserve(event: event, user: user, seat: 2, key: key), 422, "IDEMPOTENCY_KEY_REUSED")
            expectError(try await api.reserve(event: other, user: user, key: key), 422, "IDEMPOTENCY_KEY_REUSED")
            #expect(try await TestDatabase.bookingsOfUser(user) == 1)
        }
    }

    @Test func keyIsScopedToTheUser() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let key = "shared-\(UUID().uuidString)"
            let first = try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), key: key)
            let second = try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), key: key)
            #expect(first.status == 201 && second.status == 201, "\(first) / \(second)")
            #expect(first.bookingID != second.bookingID)
        }
    }

    @Test func a400IsNotStoredSoARetryIsAFreshAttempt() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 3)
            let user = TestEnvironment.uniqueUser()
            let key = "key-\(UUID().uuidString)"
            expectError(try await api.reserve(event: event, user: user, seat: 4, key: key), 400, "INVALID_REQUEST")
            let fresh = try await api.reserve(event: event, user: user, seat: 2, key: key)
            #expect(fresh.status == 201, "after a 400 the key is free: \(fresh)")
        }
    }

    @Test func concurrentRequestsWithOneKeyAllGetTheFirstAnswer() async throws {
        try await TestServer.withAPI { api in
            // Several rounds: the requests must overlap while the first is still in flight.
            for _ in 0..<3 {
                let event = try await api.createEvent(seats: 5)
                let user = TestEnvironment.uniqueUser()
                let key = "key-\(UUID().uuidString)"
                let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                    for _ in 0..<20 { group.addTask { try await api.reserve(event: event, user: user, key: key) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(replies.allSatisfy { $0.status == 201 }, "\(replies.filter { $0.status != 201 }.map(\.description))")
                #expect(Set(replies.compactMap(\.bookingID)).count == 1)
                #expect(Set(replies.map(\.body)).count == 1, "every request gets the first answer, byte for byte")
                #expect(try await TestDatabase.bookingsOfUser(user) == 1)
            }
        }
    }

    @Test(arguments: ["", String(repeating: "k", count: 129), "has space", "tab\tkey", "caf\u{E9}", "de\u{7F}l"])
    func badKeyIs400AndBooksNothing(key: String) async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            let user = TestEnvironment.uniqueUser()
            let reply = try await api.reserve(event: event, user: user, key: key)
            expectError(reply, 400, "INVALID_REQUEST")
            #expect(try await TestDatabase.bookingsOfUser(user) == 0)
        }
    }

    @Test func keyOf128VisibleCharactersIsAccepted() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 2)
            let key = String(String(repeating: "!~", count: 64).prefix(100)) + UUID().uuidString.prefix(28)
            #expect(key.utf8.count == 128)
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), key: key).status == 201)
        }
    }
}
