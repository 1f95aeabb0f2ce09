import BookingCore
import BookingCoreDoubles
import Foundation
import Testing

@testable import BookingServer

/// Holds in ``BookingStore``'s contract (docs/api.md, "POST /api/bookings/hold"), on
/// ``InMemoryBookingStore`` and on ``PostgresBookingStore`` over the real PostgreSQL: a hold is a
/// live booking until its end and nothing from its end on, before anything has moved it.
/// The holds here last a second and the tests wait past their end: the wait is the subject, no
/// speed is asserted.
@Suite("Holds: BookingStore contract")
struct HoldContractTests {
    private func withStore(_ implementation: Implementation, _ body: (any BookingStore) async throws -> Void) async throws {
        try await implementation.withBookingStore(body)
    }

    /// Past a one-second hold's end, by the store's clock and this machine's (the same one).
    private func pastTheEnd() async throws { try await Task.sleep(for: .milliseconds(1150)) }

    @Test(arguments: Implementation.allCases)
    func aHoldIsALiveBookingUntilItsEnd(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Checkout", totalSeats: 1)
            let user = Unique.user()
            let hold = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1, holdSeconds: 60)
            #expect(hold.status == .held)
            let ends = try #require(hold.expiresAt)
            // 60 s from now by the store's clock (this machine's, give or take a second).
            let fromNow = Double(ends) / 1_000_000 - Date().timeIntervalSince1970
            #expect(abs(fromNow - 60) < 1, "ends \(fromNow) s from now")
            #expect(try await store.booking(id: hold.id) == hold)
            let counts = try #require(try await store.event(id: event.id))
            #expect((counts.bookedSeats, counts.heldSeats, counts.availableSeats) == (0, 1, 0))
            #expect(try await store.seatState(eventID: event.id) == SeatState(totalSeats: 1, holders: [(userID: user, seatNumber: 1, holdEnds: ends)]))
            #expect(await outcome { try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 1) } == .seatTaken)
            #expect(await outcome { try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1) } == .alreadyBooked)
            #expect(await outcome { try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: nil) } == .soldOut)
            #expect(await outcome { try await store.reserveWithoutCache(eventID: event.id, userID: user, seatNumber: nil) } == .alreadyBooked)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aLapsedHoldCountsForNothingBeforeAnythingMovesIt(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Checkout", totalSeats: 2)
            let user = Unique.user()
            let hold = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1, holdSeconds: 1)
            try await pastTheEnd()
            let lapsed = try #require(try await store.booking(id: hold.id))
            #expect(lapsed.status == .expired)
            #expect(lapsed.expiresAt == hold.expiresAt)
            let counts = try #require(try await store.event(id: event.id))
            #expect((counts.bookedSeats, counts.heldSeats, counts.availableSeats) == (0, 0, 2))
            #expect(try await store.seatState(eventID: event.id)?.holders.isEmpty == true)
            // Its user books again, and its seat goes to another.
            let again = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 2)
            let other = try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 1)
            #expect(again.status == .confirmed)
            #expect(other.seatNumber == 1)
            #expect(try await store.booking(id: hold.id)?.status == .expired)
            #expect(try await store.booking(id: hold.id)?.expiresAt == hold.expiresAt)
        }
    }

    @Test(arguments: Implementation.allCases)
    func theStoreAloneTakesALapsedHoldsSeat(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Checkout", totalSeats: 1)
            let user = Unique.user()
            _ = try await store.reserveWithoutCache(eventID: event.id, userID: user, seatNumber: nil, holdSeconds: 1)
            try await pastTheEnd()
            let taken = try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: nil, holdSeconds: 30)
            #expect(taken.seatNumber == 1)
            #expect(taken.status == .held)
            #expect(await outcome { try await store.reserveWithoutCache(eventID: event.id, userID: user, seatNumber: nil) } == .soldOut)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aConfirmBeforeTheEndWinsOneAfterIsHoldExpired(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Checkout", totalSeats: 2)
            let user = Unique.user()
            let hold = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1, holdSeconds: 30)
            #expect(await outcome { try await store.confirmHold(id: Unique.eventID(), userID: user) } == .bookingNotFound)
            #expect(await outcome { try await store.confirmHold(id: hold.id, userID: Unique.user()) } == .notOwner)
            let confirmed = try await store.confirmHold(id: hold.id, userID: user)
            #expect(confirmed.status == .confirmed)
            #expect(confirmed.expiresAt == nil)
            #expect(confirmed.id == hold.id)
            #expect(try await store.confirmHold(id: hold.id, userID: user).status == .confirmed, "confirmed again: the same answer")
            let counts = try #require(try await store.event(id: event.id))
            #expect((counts.bookedSeats, counts.heldSeats) == (1, 0))

            let late = Unique.user()
            let lapsing = try await store.insertBooking(eventID: event.id, userID: late, seatNumber: 2, holdSeconds: 1)
            try await pastTheEnd()
            #expect(await outcome { try await store.confirmHold(id: lapsing.id, userID: late) } == .holdExpired)
            #expect(await outcome { try await store.cancelBooking(id: lapsing.id, userID: late) } == .holdExpired)
            #expect(await outcome { try await store.confirmHold(id: lapsing.id, userID: Unique.user()) } == .notOwner)
            _ = try await store.cancelBooking(id: hold.id, userID: user)
            #expect(await outcome { try await store.confirmHold(id: hold.id, userID: user) } == .alreadyCancelled)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aCancelledHoldIsHistoryWithoutAnEnd(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Checkout", totalSeats: 1)
            let user = Unique.user()
            let hold = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1, holdSeconds: 30)
            let cancelled = try await store.cancelBooking(id: hold.id, userID: user)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.expiresAt == nil)
            #expect(try await store.booking(id: hold.id)?.status == .cancelled)
            #expect(try await store.event(id: event.id)?.availableSeats == 1)
            _ = try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 1)
        }
    }

    @Test(arguments: Implementation.allCases)
    func theExpiryStepMovesEachLapsedHoldOnceAndNoLiveOne(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Checkout", totalSeats: 4)
            let users = (0..<4).map { _ in Unique.user() }
            let first = try await store.insertBooking(eventID: event.id, userID: users[0], seatNumber: 1, holdSeconds: 1)
            let second = try await store.insertBooking(eventID: event.id, userID: users[1], seatNumber: 2, holdSeconds: 1)
            let live = try await store.insertBooking(eventID: event.id, userID: users[2], seatNumber: 3, holdSeconds: 60)
            _ = try await store.insertBooking(eventID: event.id, userID: users[3], seatNumber: 4)
            try await pastTheEnd()
            // Other tests' lapsed holds share the real database: take batches until ours are out.
            var moved: [LapsedHold] = []
            for _ in 0..<50 {
                let batch = try await store.expireLapsedHolds(limit: 100)
                moved += batch.filter { $0.eventID == event.id }
                if batch.count < 100 { break }
            }
            #expect(Set(moved.map(\.seatNumber)) == [1, 2])
            #expect(moved.count == 2)
            #expect(try await store.expireLapsedHolds(limit: 100).filter { $0.eventID == event.id }.isEmpty)
            for hold in [first, second] {
                let expired = try #require(try await store.booking(id: hold.id))
                #expect(expired.status == .expired)
                #expect(expired.expiresAt == hold.expiresAt)
                #expect(expired.cancelledAt == nil)
            }
            #expect(try await store.booking(id: live.id)?.status == .held)
            let counts = try #require(try await store.event(id: event.id))
            #expect((counts.bookedSeats, counts.heldSeats, counts.availableSeats) == (1, 1, 2))
        }
    }

    @Test(arguments: Implementation.allCases)
    func listsFilterByEachStatus(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Checkout", totalSeats: 4)
            let other = try await store.createEvent(name: "Other", totalSeats: 4)
            let third = try await store.createEvent(name: "Third", totalSeats: 4)
            let fourth = try await store.createEvent(name: "Fourth", totalSeats: 4)
            let user = Unique.user()
            let held = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1, holdSeconds: 60)
            let confirmed = try await store.insertBooking(eventID: other.id, userID: user, seatNumber: 1)
            let cancelled = try await store.insertBooking(eventID: third.id, userID: user, seatNumber: 1)
            _ = try await store.cancelBooking(id: cancelled.id, userID: user)
            let expired = try await store.insertBooking(eventID: fourth.id, userID: user, seatNumber: 1, holdSeconds: 1)
            try await pastTheEnd()
            func ids(_ status: Booking.Status?) async throws -> [Int64] {
                try await store.bookings(userID: user, status: status, limit: 10, after: nil).items.map(\.id)
            }
            #expect(try await ids(.held) == [held.id])
            #expect(try await ids(.confirmed) == [confirmed.id])
            #expect(try await ids(.cancelled) == [cancelled.id])
            #expect(try await ids(.expired) == [expired.id])
            #expect(try await ids(nil) == [expired.id, cancelled.id, confirmed.id, held.id])
            let all = try await store.bookings(userID: user, status: nil, limit: 10, after: nil).items
            #expect(all.map(\.status) == [.expired, .cancelled, .confirmed, .held])
            #expect(all[0].expiresAt == expired.expiresAt)
        }
    }
}
