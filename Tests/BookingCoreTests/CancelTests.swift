import BookingCore
import BookingCoreDoubles
import Testing

@Suite("Cancel")
struct CancelTests {
    @Test func cancellingFreesTheSeatForTheNextUser() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 1)
        let alice = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))

        let cancelled = try await fixture.service.cancel(bookingID: alice.id, userID: "alice", by: .trusted(isAdmin: false))

        #expect(cancelled.id == alice.id && cancelled.status == .cancelled && cancelled.seatNumber == 1)
        #expect(cancelled.cancelledAt != nil)
        #expect(try await fixture.service.booking(id: alice.id, by: .trusted(isAdmin: false)) == cancelled)
        #expect(fixture.store.confirmed(eventID: eventID).isEmpty)
        #expect(fixture.cache.seats(eventID: eventID)?.taken == [])
        #expect(fixture.cache.calls(.release) == 1)
        let bob = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(bob.seatNumber == 1)
        #expect(try await fixture.service.event(id: eventID).bookedSeats == 1)
    }

    @Test func userCanBookAgainAfterCancellingWithANewID() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 5)
        let first = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 3), by: .trusted(isAdmin: false))
        _ = try await fixture.service.cancel(bookingID: first.id, userID: "alice", by: .trusted(isAdmin: false))

        let second = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))

        #expect(second.id != first.id)
        #expect(second.seatNumber == 1)
        #expect(fixture.store.confirmed(eventID: eventID) == [second])
        #expect(fixture.store.cancelled(eventID: eventID).map(\.id) == [first.id])
        try fixture.expectCacheMatchesStore(eventID: eventID)
    }

    @Test func cancellingTwiceIsAlreadyCancelled() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 5)
        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        _ = try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))

        await #expect(throws: ReservationError.alreadyCancelled) {
            try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.calls(.release) == 1)
        #expect(fixture.observer.count(.cancelled) == 1)
    }

    @Test func cancellingAnotherUsersBookingIsNotOwnerEvenOnceCancelled() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 5)
        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))

        await #expect(throws: ReservationError.notOwner) {
            try await fixture.service.cancel(bookingID: booking.id, userID: "mallory", by: .trusted(isAdmin: false))
        }
        #expect(fixture.store.confirmed(eventID: eventID) == [booking])

        _ = try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))
        await #expect(throws: ReservationError.notOwner) {
            try await fixture.service.cancel(bookingID: booking.id, userID: "mallory", by: .trusted(isAdmin: false))
        }
    }

    @Test func cancellingUnknownBookingIsBookingNotFound() async throws {
        let fixture = BookingFixture()
        await #expect(throws: ReservationError.bookingNotFound) {
            try await fixture.service.cancel(bookingID: 42, userID: "alice", by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.bookingNotFound) {
            try await fixture.service.booking(id: 42, by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.totalCalls == 0)
    }

    @Test func cancellingWithTheStoreDownIsStoreUnavailable() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 5)
        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        fixture.store.isDown = true

        await #expect(throws: ReservationError.storeUnavailable) {
            try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))
        }
        fixture.store.isDown = false
        #expect(fixture.store.confirmed(eventID: eventID) == [booking])
        #expect(fixture.cache.calls(.release) == 0)
        #expect(fixture.observer.count(.cancelled) == 0)
    }

    @Test func cacheReleaseFailureDoesNotFailTheCancel() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 5)
        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        fixture.cache.releaseFails = true

        let cancelled = try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))

        #expect(cancelled.status == .cancelled)
        #expect(fixture.cache.calls(.release) == 1)
        #expect(fixture.store.confirmed(eventID: eventID).isEmpty)
        #expect(fixture.observer.count(.cancelled) == 1)
    }

    @Test func cancellingWithTheCacheDownWorksAndTheStoreAloneRebooks() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 1)
        fixture.cache.isDown = true
        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))

        _ = try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))

        let again = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(again.seatNumber == 1 && again.id != booking.id)
    }

    @Test
    func userCanBookAgainAfterCancelWhoseCacheReleaseFailed() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 5)
        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        fixture.cache.releaseFails = true
        _ = try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))
        fixture.cache.releaseFails = false

        let again = await fixture.reserve(eventID, "alice")

        #expect(again.value != nil, "answered \(String(describing: again.error)); alice holds no confirmed booking")
    }

    @Test
    func seatsOfCancelsWhoseCacheReleaseFailedAreOfferedAgain() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 2)
        let alice = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))
        fixture.cache.releaseFails = true
        _ = try await fixture.service.cancel(bookingID: alice.id, userID: "alice", by: .trusted(isAdmin: false))
        fixture.cache.releaseFails = false

        let carol = await fixture.reserve(eventID, "carol")

        #expect(carol.value?.seatNumber == 1, "answered \(String(describing: carol.error)); seat 1 is free in the store")
    }
}
