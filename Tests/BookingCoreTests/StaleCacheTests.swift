import BookingCore
import BookingCoreDoubles
import Testing

/// The cache may be stale: the store's constraints decide, and the cache learns.
@Suite("Reserve with a stale seat cache")
struct StaleCacheTests {
    @Test func seatTakenBehindTheCachesBackIsSkipped() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 5)
        let ghost = try await fixture.store.insertBooking(eventID: eventID, userID: "ghost", seatNumber: 1)
        fixture.resetCalls()

        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))

        #expect(booking.seatNumber == 2)
        #expect(fixture.store.confirmed(eventID: eventID) == [ghost, booking])
        #expect(fixture.store.calls(.insertBooking) == 2)
        #expect(fixture.cache.calls(.abandon) == 1)
        let seats = try #require(fixture.cache.seats(eventID: eventID))
        #expect(seats.taken == [1, 2])
        #expect(seats.holders == ["alice": 2])
        #expect(seats.locks.isEmpty)
        // Seat 1 stays marked, so the next reservation goes straight to seat 3.
        fixture.resetCalls()
        let next = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(next.seatNumber == 3)
        #expect(fixture.store.calls(.insertBooking) == 1)
    }

    @Test func askedSeatTakenBehindTheCachesBackIsSeatTakenAndStaysMarked() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 5)
        _ = try await fixture.store.insertBooking(eventID: eventID, userID: "ghost", seatNumber: 3)

        await #expect(throws: ReservationError.seatTaken) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 3), by: .trusted(isAdmin: false))
        }
        let seats = try #require(fixture.cache.seats(eventID: eventID))
        #expect(seats.taken == [3])
        #expect(seats.locks.isEmpty)
        fixture.resetCalls()
        await #expect(throws: ReservationError.seatTaken) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: 3), by: .trusted(isAdmin: false))
        }
        #expect(fixture.store.calls(.insertBooking) == 0)
    }

    @Test func userBookedBehindTheCachesBackIsAlreadyBookedAndTheCacheLearnsIt() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 5)
        let existing = try await fixture.store.insertBooking(eventID: eventID, userID: "alice", seatNumber: 5)

        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.store.confirmed(eventID: eventID) == [existing])
        let seats = try #require(fixture.cache.seats(eventID: eventID))
        #expect(seats.isBooked("alice"))
        // The seat allocated for the attempt went back to the pool.
        #expect(!seats.taken.contains(1))
        #expect(seats.locks.isEmpty)

        fixture.resetCalls()
        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        #expect(fixture.cache.totalCalls == 1)
        #expect(fixture.store.calls(.insertBooking) == 0)
        #expect(try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false)).seatNumber == 1)
    }

    @Test func userBookedBehindTheCachesBackAskingForAStaleSeatIsAlreadyBooked() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 5)
        _ = try await fixture.store.insertBooking(eventID: eventID, userID: "alice", seatNumber: 1)
        _ = try await fixture.store.insertBooking(eventID: eventID, userID: "bob", seatNumber: 2)

        await #expect(throws: ReservationError.alreadyBooked) {
            try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: 2), by: .trusted(isAdmin: false))
        }
    }

    @Test
    func reservationAfterManyBookingsMadeWithoutTheCacheFindsAFreeSeat() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 20)
        // A Redis outage: ten reservations go through the store alone; Redis comes back with its
        // old (persisted) state, which knows none of them.
        fixture.cache.isDown = true
        for user in 0..<10 {
            _ = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "early\(user)", seatNumber: nil), by: .trusted(isAdmin: false))
        }
        fixture.cache.isDown = false

        let booking = await fixture.reserve(eventID, "alice")

        #expect(booking.value?.seatNumber == 11, "answered \(String(describing: booking.error)) with 10 of 20 seats free")
    }
}
