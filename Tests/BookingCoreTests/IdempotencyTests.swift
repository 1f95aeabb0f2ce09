import BookingCore
import BookingCoreDoubles
import Testing

/// The `Idempotency-Key` rule of reserve, on in-memory ports: a retry gets the first final
/// outcome and books nothing new; other outcomes leave the key free; one key, one request.
@Suite("Idempotent reserve")
struct IdempotencyTests {
    private func reserve(
        _ fixture: BookingFixture, _ eventID: Int64, _ userID: String, seat: Int? = nil, key: String?
    ) async -> Result<Booking, ReservationError> {
        do {
            return .success(try await fixture.service.reserve(
                ReservationRequest(eventID: eventID, userID: userID, seatNumber: seat, idempotencyKey: key), by: .trusted(isAdmin: false)
            ))
        } catch {
            return .failure(error)
        }
    }

    @Test func aRetryGetsTheFirstBookingAndBooksNothingNew() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        let first = try #require(await reserve(fixture, event, "alice", key: "k").value)
        let retry = try #require(await reserve(fixture, event, "alice", key: "k").value)
        #expect(retry == first)
        #expect(fixture.store.confirmed(eventID: event).count == 1)
        #expect(fixture.store.calls(.insertBooking) == 1)
    }

    @Test func aRetryGetsTheFirstConflictEvenWhenASeatFreedSince() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 1)
        let held = try #require(await fixture.reserve(event, "holder").value)
        #expect(await reserve(fixture, event, "late", key: "k").error == .soldOut)
        _ = try await fixture.service.cancel(bookingID: held.id, userID: "holder", by: .trusted(isAdmin: false))
        #expect(await reserve(fixture, event, "late", key: "k").error == .soldOut)
        #expect(await reserve(fixture, event, "late", key: nil).value != nil, "without the key the seat is there")
    }

    @Test func theSameKeyForAnotherRequestIsRefused() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        let other = try await fixture.makeEvent(seats: 3)
        #expect(await reserve(fixture, event, "alice", key: "k").value != nil)
        #expect(await reserve(fixture, event, "alice", seat: 2, key: "k").error == .idempotencyKeyReused)
        #expect(await reserve(fixture, other, "alice", key: "k").error == .idempotencyKeyReused)
        #expect(fixture.store.calls(.insertBooking) == 1)
    }

    @Test func aKeyBelongsToItsUser() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        let alice = try #require(await reserve(fixture, event, "alice", key: "k").value)
        let bob = try #require(await reserve(fixture, event, "bob", key: "k").value)
        #expect(alice.id != bob.id)
    }

    @Test(arguments: [ReservationError.eventNotFound, .storeUnavailable])
    func anAnswerThatIsNotFinalLeavesTheKeyFree(_ failure: ReservationError) async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        let asked = failure == .eventNotFound ? event + 100 : event
        if failure == .storeUnavailable { fixture.store.isDown = true }
        #expect(await reserve(fixture, asked, "alice", key: "k").error == failure)
        #expect(fixture.idempotency.count == 0)
        fixture.store.isDown = false
        // A fresh attempt, which may even be for another request.
        #expect(await reserve(fixture, event, "alice", seat: 2, key: "k").value?.seatNumber == 2)
    }

    @Test func concurrentRequestsWithOneKeyAllGetTheFirstOnesBooking() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 50)
        let results = await withTaskGroup(of: Result<Booking, ReservationError>.self) { group in
            for _ in 0..<20 {
                group.addTask { await reserve(fixture, event, "alice", key: "k") }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let bookings = results.compactMap(\.value)
        #expect(bookings.count == 20, "every request gets the booking: \(results.compactMap(\.error))")
        #expect(Set(bookings.map(\.id)).count == 1)
        #expect(fixture.store.confirmed(eventID: event).count == 1)
    }

    @Test func anUnreachableKeyStoreAnswersUnavailableAndBooksNothing() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        fixture.idempotency.isDown = true
        #expect(await reserve(fixture, event, "alice", key: "k").error == .storeUnavailable)
        #expect(fixture.store.calls(.insertBooking) == 0)
        fixture.idempotency.isDown = false
        #expect(await reserve(fixture, event, "alice", key: "k").value != nil)
    }

    @Test func aClaimThatNeverFinishesEndsInUnavailable() async throws {
        let fixture = BookingFixture { $0.idempotencyWait = .milliseconds(50) }
        let event = try await fixture.makeEvent(seats: 3)
        #expect(try await fixture.idempotency.claim(userID: "alice", key: "k", fingerprint:
            ReservationRequest(eventID: event, userID: "alice").fingerprint) == .claimed)
        #expect(await reserve(fixture, event, "alice", key: "k").error == .storeUnavailable)
        #expect(fixture.store.calls(.insertBooking) == 0)
    }

    @Test func aRateLimitedAttemptClaimsNoKeyAndBooksNothing() async throws {
        let clock = ManualClock()
        let fixture = BookingFixture(rateLimiter: UserRateLimiter(limit: 1, clock: clock.read))
        let event = try await fixture.makeEvent(seats: 3)
        #expect(await reserve(fixture, event, "alice", key: "first").value != nil)
        #expect(await reserve(fixture, event, "alice", key: "second").error == .rateLimited(retryAfterSeconds: 1))
        #expect(fixture.idempotency.count == 1)
        #expect(fixture.observer.rejections == [.rateLimited(retryAfterSeconds: 1)])
        clock.advance(by: .seconds(2))
        #expect(await reserve(fixture, event, "alice", key: "second").error == .alreadyBooked)
    }

    @Test func theFingerprintIsTheEventAndTheSeatAskedFor() {
        let base = ReservationRequest(eventID: 1, userID: "u", seatNumber: 2, idempotencyKey: "k")
        #expect(base.fingerprint == "reserve event=1 seat=2")
        #expect(ReservationRequest(eventID: 1, userID: "u").fingerprint == "reserve event=1 seat=any")
        #expect(ReservationRequest(eventID: 2, userID: "u", seatNumber: 2).fingerprint != base.fingerprint)
        #expect(ReservationRequest(eventID: 1, userID: "u", seatNumber: 3).fingerprint != base.fingerprint)
        #expect(ReservationRequest(eventID: 1, userID: "v", seatNumber: 2, idempotencyKey: "other").fingerprint == base.fingerprint)
    }
}

/// The relay hears of every committed booking change, and of nothing else.
@Suite("Post-commit signal")
struct PostCommitSignalTests {
    @Test func everyCommittedChangeSignalsOnceAndRefusalsNever() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 1)
        let booking = try #require(await fixture.reserve(event, "alice").value)
        #expect(fixture.postCommit.count == 1)
        #expect(await fixture.reserve(event, "bob").error == .soldOut)
        #expect(await fixture.reserve(event, "alice").error == .alreadyBooked)
        #expect(fixture.postCommit.count == 1)
        _ = try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))
        #expect(fixture.postCommit.count == 2)
        await #expect(throws: ReservationError.alreadyCancelled) {
            try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: .trusted(isAdmin: false))
        }
        #expect(fixture.postCommit.count == 2)
    }

    @Test func aReservationWithoutTheCacheSignalsToo() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 2)
        fixture.cache.isDown = true
        #expect(await fixture.reserve(event, "alice").value != nil)
        #expect(fixture.postCommit.count == 1)
    }
}
