import BookingCore
import BookingCoreDoubles
import Testing

/// Holds through the booking rules, on the in-memory ports with one clock for both: what a hold,
/// a confirm and the expiry step ask of the store and the cache.
@Suite struct HoldTests {
    private func hold(_ fixture: BookingFixture, _ eventID: Int64, _ userID: String, seconds: Int? = 60, seat: Int? = nil,
                      by caller: Caller = .trusted(isAdmin: false)) async -> Result<Booking, ReservationError> {
        do {
            return .success(try await fixture.service.reserve(
                ReservationRequest(.hold(seconds: seconds), eventID: eventID, userID: userID, seatNumber: seat), by: caller
            ))
        } catch {
            return .failure(error)
        }
    }

    @Test func aHoldIsHeldInTheStoreAndTheCacheUntilConfirmed() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 1)
        let held = try await hold(fixture, eventID, "alice").get()
        #expect(held.status == .held)
        #expect(fixture.cache.seats(eventID: eventID)?.holds[held.seatNumber]?.user == "alice")
        #expect(await fixture.reserve(eventID, "bob") == .failure(.soldOut))
        let confirmed = try await fixture.service.confirm(bookingID: held.id, userID: "alice", by: .trusted(isAdmin: false))
        #expect(confirmed.status == .confirmed)
        #expect(fixture.cache.seats(eventID: eventID)?.holds.isEmpty == true)
        // Confirmed, it no longer ends: past the hold's end the seat stays alice's.
        fixture.holdClock.advance(bySeconds: 120)
        #expect(await fixture.reserve(eventID, "bob") == .failure(.soldOut))
        #expect(fixture.postCommit.count == 2)
    }

    @Test func theDefaultHoldIsTheConfiguredOne() async throws {
        let fixture = BookingFixture { $0.holdSeconds = 90 }
        let eventID = try await fixture.makeWarmEvent(seats: 1)
        let held = try await hold(fixture, eventID, "alice", seconds: nil).get()
        let length = try #require(held.expiresAt) - fixture.holdClock.now
        #expect(abs(length - 90_000_000) < 1_000_000)
    }

    @Test func aLapsedHoldsSeatGoesToTheNextUserThroughTheCacheAndItsUserBooksAgain() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 1)
        let held = try await hold(fixture, eventID, "alice", seconds: 5).get()
        // Past the end: the cache frees a hold in the whole millisecond after it, as Redis does.
        fixture.holdClock.advance(bySeconds: 5.002)
        let taken = try await fixture.reserve(eventID, "bob").get()
        #expect(taken.seatNumber == held.seatNumber)
        #expect(try await fixture.store.booking(id: held.id)?.status == .expired)
        #expect(await fixture.reserve(eventID, "alice") == .failure(.soldOut))
        #expect(fixture.store.invariantViolations().isEmpty)
    }

    @Test func theExpiryStepMovesLapsedHoldsAndFreesThemInTheCache() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 3)
        _ = try await hold(fixture, eventID, "alice", seconds: 5).get()
        _ = try await hold(fixture, eventID, "bob", seconds: 5).get()
        _ = try await hold(fixture, eventID, "carol", seconds: 60).get()
        #expect(try await fixture.service.expireLapsedHolds(batch: 10) == 0)
        fixture.holdClock.advance(bySeconds: 6)
        let signals = fixture.postCommit.count
        #expect(try await fixture.service.expireLapsedHolds(batch: 10) == 2)
        #expect(fixture.observer.count(.holdsExpired(2)) == 1)
        #expect(fixture.postCommit.count == signals + 1, "the relay is woken for the expired messages")
        let seats = try #require(fixture.cache.seats(eventID: eventID))
        #expect(seats.holds.count == 1)
        #expect(seats.taken.count == 1)
        #expect(try await fixture.service.expireLapsedHolds(batch: 10) == 0)
    }

    @Test func withTheCacheDownAHoldGoesThroughTheStoreAlone() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 1)
        fixture.cache.isDown = true
        let held = try await hold(fixture, eventID, "alice", seconds: 30).get()
        #expect(held.status == .held)
        #expect(fixture.store.calls(.reserveWithoutCache) == 1)
        #expect(await hold(fixture, eventID, "bob") == .failure(.soldOut))
        // The confirm needs no cache to commit.
        #expect(try await fixture.service.confirm(bookingID: held.id, userID: "alice", by: .trusted(isAdmin: false)).status == .confirmed)
    }

    @Test func theTokenModesRulesCoverHoldsAndConfirms() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 2)
        let alice = Caller.verified(subject: "alice", isAdmin: false)
        let bob = Caller.verified(subject: "bob", isAdmin: false)
        #expect(await hold(fixture, eventID, "bob", by: alice) == .failure(.forbidden))
        let held = try await fixture.service.reserve(ReservationRequest(.hold(seconds: 30), eventID: eventID, userID: nil), by: alice)
        #expect(held.userID == "alice")
        await #expect(throws: ReservationError.notOwner) {
            try await fixture.service.confirm(bookingID: held.id, userID: nil, by: bob)
        }
        await #expect(throws: ReservationError.forbidden) {
            try await fixture.service.confirm(bookingID: held.id, userID: "alice", by: bob)
        }
        #expect(try await fixture.service.confirm(bookingID: held.id, userID: nil, by: alice).status == .confirmed)
    }

    @Test func confirmsCountAgainstTheRateLimit() async throws {
        let fixture = BookingFixture(rateLimiter: UserRateLimiter(limit: 1, clock: { 0 }))
        let eventID = try await fixture.makeWarmEvent(seats: 1)
        let held = try await hold(fixture, eventID, "alice").get()
        await #expect(throws: ReservationError.rateLimited(retryAfterSeconds: 1)) {
            try await fixture.service.confirm(bookingID: held.id, userID: "alice", by: .trusted(isAdmin: false))
        }
    }

    @Test func aHoldAndAReserveAreDifferentRequestsForAnIdempotencyKey() {
        let reserve = ReservationRequest(eventID: 7, userID: "u", seatNumber: 3)
        let hold = ReservationRequest(.hold(seconds: nil), eventID: 7, userID: "u", seatNumber: 3)
        let timed = ReservationRequest(.hold(seconds: 60), eventID: 7, userID: "u", seatNumber: 3)
        #expect(Set([reserve.fingerprint, hold.fingerprint, timed.fingerprint]).count == 3)
        #expect(reserve.fingerprint == "reserve event=7 seat=3", "the fingerprint of keys stored before holds existed")
    }
}
