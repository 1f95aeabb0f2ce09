import BookingCore
import BookingCoreDoubles
import Testing

/// Reservations stay correct when the cache is down, flushed or fails mid-way, and answer
/// UNAVAILABLE without booking when the store is down.
@Suite("Reserve with a failing cache or store")
struct DegradedPortsTests {
    @Test func cacheDownReservesThroughTheStoreAlone() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 3)
        fixture.cache.isDown = true

        let alice = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        let bob = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: 3), by: .trusted(isAdmin: false))
        #expect(alice.seatNumber == 1 && bob.seatNumber == 3)
        #expect(fixture.store.calls(.reserveWithoutCache) == 2)
        #expect(fixture.store.calls(.insertBooking) == 0)
        #expect(fixture.observer.count(.cacheBypassed) == 2)

        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 3), by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.seatTaken) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: 3), by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.seatOutOfRange(totalSeats: 3)) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: 4), by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.eventNotFound) {
            try await fixture.service.reserve(ReservationRequest(eventID: 999, userID: "carol", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        let carol = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(carol.seatNumber == 2)
        await #expect(throws: ReservationError.soldOut) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "dave", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.seatTaken) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "dave", seatNumber: 1), by: .trusted(isAdmin: false))
        }
        #expect(fixture.store.invariantViolations().isEmpty)
        #expect(fixture.store.confirmed(eventID: eventID).map(\.userID) == ["alice", "carol", "bob"])
    }

    @Test func cacheFailingWhileLoadingFallsBackToTheStore() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 3)
        fixture.cache.setHook { call in
            if call == .load { throw SimulatedOutage(what: "load") }
        }

        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(booking.seatNumber == 1)
        #expect(fixture.store.calls(.reserveWithoutCache) == 1)
        #expect(fixture.observer.count(.cacheBypassed) == 1)
    }

    @Test func cacheDownAndStoreDownIsStoreUnavailable() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 3)
        fixture.cache.isDown = true
        fixture.store.isDown = true

        await #expect(throws: ReservationError.storeUnavailable) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.observer.rejections == [.storeUnavailable])
        fixture.store.isDown = false
        #expect(fixture.store.confirmed(eventID: eventID).isEmpty)
    }

    @Test func storeDownOnColdCacheIsStoreUnavailable() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 3)
        fixture.store.isDown = true

        await #expect(throws: ReservationError.storeUnavailable) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.seats(eventID: eventID) == nil)
        #expect(fixture.observer.count(.cacheBypassed) == 0)
    }

    @Test func storeDownDuringInsertGivesTheSeatBackAndReleasesTheLock() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 3)
        fixture.store.setHook { call in
            if call == .insertBooking { throw ReservationError.storeUnavailable }
        }

        await #expect(throws: ReservationError.storeUnavailable) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.calls(.abandon) == 1)
        #expect(fixture.cache.calls(.confirm) == 0)
        #expect(fixture.cache.seats(eventID: eventID) == InMemorySeatCache.EventSeats(totalSeats: 3))
        // Not a cache failure: the store alone is not tried.
        #expect(fixture.store.calls(.reserveWithoutCache) == 0)
        #expect(fixture.observer.count(.cacheBypassed) == 0)

        fixture.store.setHook(nil)
        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(booking.seatNumber == 1)
    }

    @Test func storeDownDuringInsertOfAskedSeatGivesItBack() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 3)
        fixture.store.isDown = true

        await #expect(throws: ReservationError.storeUnavailable) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 2), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.seats(eventID: eventID) == InMemorySeatCache.EventSeats(totalSeats: 3))
        fixture.store.isDown = false
        #expect(try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: 2), by: .trusted(isAdmin: false)).seatNumber == 2)
    }

    @Test func storeFailingUnexpectedlyIsInternalFailureAndGivesTheSeatBack() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 3)
        fixture.store.setHook { call in
            if call == .insertBooking { throw SimulatedOutage(what: "not a store answer") }
        }

        await #expect(throws: ReservationError.internalFailure) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.seats(eventID: eventID) == InMemorySeatCache.EventSeats(totalSeats: 3))
        #expect(fixture.store.calls(.reserveWithoutCache) == 0)
        #expect(fixture.observer.rejections == [.internalFailure])
    }

    @Test func confirmFailingAfterCommitStillReturnsTheBooking() async throws {
        let fixture = BookingFixture { $0.lockWait = .milliseconds(100) }
        let eventID = try await fixture.makeWarmEvent(seats: 3)
        fixture.cache.confirmFails = true

        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(booking.seatNumber == 1)
        #expect(fixture.store.confirmed(eventID: eventID) == [booking])
        #expect(fixture.observer.notes == [.reserved(booking)])
        #expect(fixture.store.calls(.reserveWithoutCache) == 0)

        // While the lock lives, a repeat waits for it and is answered ALREADY_BOOKED.
        fixture.cache.confirmFails = false
        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        // Once it expired, the store's unique constraint answers, and the cache learns the user.
        fixture.cache.expireLocks()
        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.seats(eventID: eventID)?.isBooked("alice") == true)
        #expect(fixture.store.confirmed(eventID: eventID) == [booking])
        // The seat of the committed booking stays marked: the next user gets another.
        #expect(try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false)).seatNumber == 2)
    }

    @Test func cacheFlushedBetweenReservationsIsReloadedFromTheStore() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 5)
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))
        fixture.cache.flush()
        fixture.resetCalls()

        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.store.calls(.seatState) == 1)
        #expect(try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: nil), by: .trusted(isAdmin: false)).seatNumber == 3)
        try fixture.expectCacheMatchesStore(eventID: eventID)
    }

    @Test func cacheFlushedRightAfterLoadingIsLoadedAgain() async throws {
        let fixture = BookingFixture { $0.lockWait = .milliseconds(200) }
        let eventID = try await fixture.makeEvent(seats: 5)
        // The flush lands between this request's load and its next allocate.
        fixture.cache.flush(before: .allocate, number: 2)

        let booking = await fixture.reserve(eventID, "alice")

        #expect(booking.value?.seatNumber == 1, "answered \(String(describing: booking.error)); the user holds no booking")
        #expect(fixture.observer.rejections.isEmpty)
        #expect(fixture.store.calls(.seatState) == 2, "loaded, flushed, loaded again")
    }

    @Test func cacheThatNeverStaysLoadedIsBypassed() async throws {
        let fixture = BookingFixture { $0.lockWait = .milliseconds(500) }
        let eventID = try await fixture.makeEvent(seats: 5)
        let cache = fixture.cache
        cache.setHook { call in
            if call == .allocate { cache.flush() }
        }

        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))

        #expect(booking.seatNumber == 1)
        #expect(fixture.store.calls(.seatState) >= 2)
        #expect(fixture.store.calls(.reserveWithoutCache) == 1)
        #expect(fixture.observer.notes == [.cacheBypassed, .reserved(booking)])
    }

    @Test
    func cancelledWaitingReservationIsNotTakenForACacheOutage() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 5)
        // Another request of alice's holds the lock and stays stuck.
        _ = try await fixture.cache.allocate(eventID: eventID, userID: "alice", seatNumber: nil, lockToken: "stuck")

        let waiting = Task { await fixture.reserve(eventID, "alice") }
        try await waitUntil { fixture.observer.count(.lockContended) >= 1 }
        waiting.cancel()
        _ = await waiting.value

        #expect(fixture.observer.count(.cacheBypassed) == 0)
        #expect(fixture.store.calls(.reserveWithoutCache) == 0)
        #expect(fixture.store.confirmed(eventID: eventID).isEmpty)
    }
}
