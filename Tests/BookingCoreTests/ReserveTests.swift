import BookingCore
import BookingCoreDoubles
import Testing

@Suite("Reserve through the seat cache")
struct ReserveTests {
    @Test func reservationsGetSeatsInOrderAndAreStoredAndCached() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 5)

        let first = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        let second = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))
        let third = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: nil), by: .trusted(isAdmin: false))

        #expect([first.seatNumber, second.seatNumber, third.seatNumber] == [1, 2, 3])
        #expect(first.eventID == eventID && first.userID == "alice" && first.status == .confirmed)
        #expect(first.cancelledAt == nil)
        #expect(Set([first.id, second.id, third.id]).count == 3)
        #expect(fixture.store.confirmed(eventID: eventID) == [first, second, third])
        #expect(try await fixture.service.booking(id: second.id, by: .trusted(isAdmin: false)) == second)
        let seats = try #require(fixture.cache.seats(eventID: eventID))
        #expect(seats.holders == ["alice": 1, "bob": 2, "carol": 3])
        #expect(seats.locks.isEmpty)
        #expect(try await fixture.service.event(id: eventID).bookedSeats == 3)
    }

    @Test func warmReservationCostsOneAllocateOneInsertOneConfirm() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 10)

        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))

        #expect(fixture.cache.calls(.allocate) == 1)
        #expect(fixture.cache.calls(.confirm) == 1)
        #expect(fixture.cache.totalCalls == 2)
        #expect(fixture.store.calls(.insertBooking) == 1)
        #expect(InMemoryBookingStore.Call.allCases.map { fixture.store.calls($0) }.reduce(0, +) == 1)
    }

    @Test func coldCacheIsLoadedFromTheStoreOnce() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 10)
        // A booking the cache must learn from the store.
        let early = try await fixture.store.insertBooking(eventID: eventID, userID: "early", seatNumber: 1)
        fixture.resetCalls()

        let first = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(first.seatNumber == 2)
        #expect(fixture.store.calls(.seatState) == 1)
        #expect(fixture.cache.calls(.load) == 1)
        #expect(fixture.cache.calls(.allocate) == 2)
        #expect(fixture.cache.seats(eventID: eventID)?.holders[InMemorySeatCache.User(early.userID)] == 1)

        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(fixture.store.calls(.seatState) == 1)
        #expect(fixture.cache.calls(.load) == 1)
    }

    @Test func secondReservationBySameUserIsRejectedByTheCacheAlone() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 10)
        let first = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        fixture.resetCalls()

        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.totalCalls == 1)
        #expect(fixture.store.calls(.insertBooking) == 0)
        #expect(fixture.store.confirmed(eventID: eventID) == [first])
    }

    @Test func reservationBeyondTheLastSeatIsSoldOutWithoutTouchingTheStore() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 2)
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))
        fixture.resetCalls()

        await #expect(throws: ReservationError.soldOut) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.totalCalls == 1)
        #expect(fixture.store.calls(.insertBooking) == 0)
        #expect(fixture.store.confirmed(eventID: eventID).map(\.userID) == ["alice", "bob"])
        #expect(fixture.cache.seats(eventID: eventID)?.locks.isEmpty == true)
    }

    @Test func askedFreeSeatIsGiven() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 10)

        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 7), by: .trusted(isAdmin: false))
        #expect(booking.seatNumber == 7)
        // The automatic choice skips it later on.
        let seats = try await (1...7).asyncMap { try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "u\($0)", seatNumber: nil), by: .trusted(isAdmin: false)).seatNumber }
        #expect(seats == [1, 2, 3, 4, 5, 6, 8])
    }

    @Test func askedTakenSeatIsSeatTaken() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 10)
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 4), by: .trusted(isAdmin: false))
        fixture.resetCalls()

        await #expect(throws: ReservationError.seatTaken) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: 4), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.totalCalls == 1)
        #expect(fixture.store.calls(.insertBooking) == 0)
        #expect(fixture.cache.seats(eventID: eventID)?.locks.isEmpty == true)
    }

    @Test func askedSeatAboveTotalSeatsIsOutOfRange() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 10)

        await #expect(throws: ReservationError.seatOutOfRange(totalSeats: 10)) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 11), by: .trusted(isAdmin: false))
        }
        #expect(fixture.store.confirmed(eventID: eventID).isEmpty)
        // The seat range is checked before the user: a booked user asking out of range gets the range answer.
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 10), by: .trusted(isAdmin: false))
        await #expect(throws: ReservationError.seatOutOfRange(totalSeats: 10)) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 11), by: .trusted(isAdmin: false))
        }
    }

    @Test func bookedUserAskingForTakenSeatIsAlreadyBooked() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 10)
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 1), by: .trusted(isAdmin: false))
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: 2), by: .trusted(isAdmin: false))

        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 2), by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 1), by: .trusted(isAdmin: false))
        }
    }

    @Test func askedTakenSeatOnSoldOutEventIsSeatTaken() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 2)
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))

        await #expect(throws: ReservationError.seatTaken) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: 2), by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.soldOut) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "carol", seatNumber: nil), by: .trusted(isAdmin: false))
        }
    }

    @Test func unknownEventIsEventNotFound() async throws {
        let fixture = BookingFixture()
        _ = try await fixture.makeEvent(seats: 10)

        await #expect(throws: ReservationError.eventNotFound) {
            try await fixture.service.reserve(ReservationRequest(eventID: 999, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        // Existence is checked before the seat range.
        await #expect(throws: ReservationError.eventNotFound) {
            try await fixture.service.reserve(ReservationRequest(eventID: 999, userID: "alice", seatNumber: 5_000), by: .trusted(isAdmin: false))
        }
        #expect(fixture.store.calls(.insertBooking) == 0)
        #expect(fixture.cache.seats(eventID: 999) == nil)
    }

    @Test func eventsAreIndependent() async throws {
        let fixture = BookingFixture()
        let concert = try await fixture.makeEvent(seats: 1)
        let play = try await fixture.makeEvent(seats: 1)

        let a = try await fixture.service.reserve(ReservationRequest(eventID: concert, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        let b = try await fixture.service.reserve(ReservationRequest(eventID: play, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(a.seatNumber == 1 && b.seatNumber == 1)
        await #expect(throws: ReservationError.soldOut) {
            try await fixture.service.reserve(ReservationRequest(eventID: play, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
