import BookingCore
import BookingCoreDoubles
import Testing

@Suite("Reservation observer")
struct ObserverTests {
    @Test func observerHearsEachOutcomeOnce() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 1)

        let alice = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        _ = await fixture.reserve(eventID, "alice")
        _ = await fixture.reserve(eventID, "bob")
        _ = await fixture.reserve(eventID, "bob", seat: 1)
        _ = await fixture.reserve(eventID, "bob", seat: 2)
        _ = await fixture.reserve(999, "bob")
        _ = try await fixture.service.cancel(bookingID: alice.id, userID: "alice", by: .trusted(isAdmin: false))

        #expect(fixture.observer.notes == [
            .reserved(alice),
            .rejected(.alreadyBooked),
            .rejected(.soldOut),
            .rejected(.seatTaken),
            .rejected(.seatOutOfRange(totalSeats: 1)),
            .rejected(.eventNotFound),
            .cancelled,
        ])
    }

    @Test func observerHearsLockContention() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 5)
        // Another request of alice's holds the lock; it commits while this one waits.
        let token = "other"
        #expect(try await fixture.cache.allocate(eventID: eventID, userID: "alice", seatNumber: nil, lockToken: token) == .allocated(seatNumber: 1))
        let waiting = Task { await fixture.reserve(eventID, "alice") }
        try await waitUntil { fixture.observer.count(.lockContended) >= 1 }
        _ = try await fixture.store.insertBooking(eventID: eventID, userID: "alice", seatNumber: 1)
        try await fixture.cache.confirm(eventID: eventID, userID: "alice", seatNumber: 1, lockToken: token)

        let result = await waiting.value

        #expect(result.error == .alreadyBooked)
        #expect(fixture.observer.count(.lockContended) >= 1)
        #expect(fixture.observer.rejections == [.alreadyBooked])
        #expect(fixture.store.calls(.insertBooking) == 1)
    }

    /// The lock's request crashed before committing: the store, which holds nothing for the
    /// user, decides, and books.
    @Test func lockHeldLongerThanLockWaitLetsTheStoreDecide() async throws {
        let fixture = BookingFixture { $0.lockWait = .milliseconds(50) }
        let eventID = try await fixture.makeWarmEvent(seats: 5)
        _ = try await fixture.cache.allocate(eventID: eventID, userID: "alice", seatNumber: nil, lockToken: "stuck")

        let result = await fixture.reserve(eventID, "alice")

        #expect((try? result.get())?.userID == "alice")
        #expect(fixture.store.calls(.insertBooking) == 0)
        #expect(fixture.observer.count(.cacheBypassed) == 1)
    }

    @Test func observerHearsCacheBypassAndTheOutcome() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 1)
        fixture.cache.isDown = true

        let alice = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))
        _ = await fixture.reserve(eventID, "bob")

        #expect(fixture.observer.notes == [.cacheBypassed, .reserved(alice), .cacheBypassed, .rejected(.soldOut)])
    }
}
