import BookingCore
import BookingCoreDoubles
import Testing

/// Races that must end exactly: no oversell, one booking per user, one holder per seat.
@Suite("Concurrent reservations")
struct ConcurrencyTests {
    enum CacheCondition: String, CaseIterable, CustomTestStringConvertible {
        case warm, cold, flushedHalfway, down
        var testDescription: String { rawValue }
    }

    /// Puts the cache in the condition for a race of `reservations` requests.
    private func prepare(_ fixture: BookingFixture, _ condition: CacheCondition, eventID: Int64, reservations: Int) async throws {
        switch condition {
        case .warm:
            let state = try #require(try await fixture.store.seatState(eventID: eventID))
            try await fixture.cache.load(eventID: eventID, state: state)
            fixture.resetCalls()
        case .cold:
            break
        case .flushedHalfway:
            let state = try #require(try await fixture.store.seatState(eventID: eventID))
            try await fixture.cache.load(eventID: eventID, state: state)
            fixture.resetCalls()
            fixture.cache.flush(before: .allocate, number: reservations / 2)
        case .down:
            fixture.cache.isDown = true
        }
    }

    /// The race really went through the condition it claims.
    private func expectCacheWasExercised(_ fixture: BookingFixture, _ condition: CacheCondition) {
        switch condition {
        case .warm: #expect(fixture.store.calls(.seatState) == 0)
        case .cold, .flushedHalfway: #expect(fixture.store.calls(.seatState) >= 1)
        case .down: #expect(fixture.store.calls(.insertBooking) == 0)
        }
    }

    @Test(arguments: CacheCondition.allCases)
    func twoHundredUsersRacingForFiftySeatsGetExactlyFifty(_ condition: CacheCondition) async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 50)
        try await prepare(fixture, condition, eventID: eventID, reservations: 200)
        let users = (1...200).map { "user\($0)" }

        let results = await fixture.reserveConcurrently(eventID, users: users)

        let booked = results.compactMap(\.value)
        #expect(booked.count == 50)
        #expect(results.filter { $0.error == .soldOut }.count == 150)
        #expect(booked.map(\.seatNumber).sorted() == Array(1...50))
        #expect(Set(booked.map(\.userID)).count == 50)
        #expect(fixture.store.confirmed(eventID: eventID).map(\.id).sorted() == booked.map(\.id).sorted())
        #expect(fixture.store.invariantViolations().isEmpty)
        expectCacheWasExercised(fixture, condition)
        if condition != .down {
            try fixture.expectCacheMatchesStore(eventID: eventID)
        }
    }

    @Test(arguments: CacheCondition.allCases)
    func oneUserFiringThirtyReservationsGetsExactlyOne(_ condition: CacheCondition) async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 50)
        try await prepare(fixture, condition, eventID: eventID, reservations: 30)

        let results = await fixture.reserveConcurrently(eventID, users: Array(repeating: "alice", count: 30))

        #expect(results.compactMap(\.value).count == 1)
        #expect(results.filter { $0.error == .alreadyBooked }.count == 29)
        #expect(fixture.store.confirmed(eventID: eventID).map(\.userID) == ["alice"])
        #expect(fixture.store.invariantViolations().isEmpty)
        expectCacheWasExercised(fixture, condition)
        if condition != .down {
            try fixture.expectCacheMatchesStore(eventID: eventID)
        }
    }

    @Test func requestsThatFindAnEventColdTogetherShareOneLoad() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 10)
        _ = try await fixture.store.insertBooking(eventID: eventID, userID: "early", seatNumber: 1)
        fixture.resetCalls()
        // Hold the store's answer until every request has found the event cold.
        let cache = fixture.cache
        fixture.store.hold(.seatState, until: { cache.calls(.allocate) >= 8 })

        let results = await fixture.reserveConcurrently(eventID, users: (1...8).map { "user-\($0)" })

        #expect(results.compactMap(\.value).count == 8)
        #expect(fixture.store.calls(.seatState) == 1, "one read of the holders for all eight requests")
        #expect(fixture.cache.calls(.load) == 1)
        #expect(fixture.observer.count(.cacheBypassed) == 0)
        try fixture.expectCacheMatchesStore(eventID: eventID)
    }

    @Test func aSharedLoadThatFailedFailsItsWaitersAndTheNextRequestLoadsAgain() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 10)
        fixture.resetCalls()
        let cache = fixture.cache
        fixture.store.hold(.seatState, until: { cache.calls(.allocate) >= 4 }, thenFailWith: .storeUnavailable)

        let results = await fixture.reserveConcurrently(eventID, users: ["a", "b", "c", "d"])

        #expect(results.map(\.error) == Array(repeating: .storeUnavailable, count: 4))
        #expect(fixture.store.calls(.seatState) == 1)
        fixture.store.setHook(nil)
        let booking = try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "a", seatNumber: nil), by: .trusted(isAdmin: false))
        #expect(booking.seatNumber == 1)
        #expect(fixture.store.calls(.seatState) == 2)
    }

    @Test func waitersForALockedUserSeeTheUserBooked() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 10)
        // Hold alice's first insert until the others are waiting on her lock.
        let observer = fixture.observer
        fixture.store.hold(.insertBooking, until: { observer.count(.lockContended) >= 5 })

        let results = await fixture.reserveConcurrently(eventID, users: Array(repeating: "alice", count: 6))

        #expect(results.compactMap(\.value).count == 1)
        #expect(results.filter { $0.error == .alreadyBooked }.count == 5)
        #expect(fixture.observer.count(.lockContended) >= 5)
        #expect(fixture.store.calls(.insertBooking) == 1)
    }

    @Test func waiterGetsASeatWhenTheLockHoldersAttemptFails() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeWarmEvent(seats: 5)
        _ = try await fixture.store.insertBooking(eventID: eventID, userID: "ghost", seatNumber: 3)
        fixture.resetCalls()
        let observer = fixture.observer
        fixture.store.hold(.insertBooking, until: { observer.count(.lockContended) >= 1 })

        // The first request holds alice's lock for seat 3, which the store says is taken.
        let first = Task { await fixture.reserve(eventID, "alice", seat: 3) }
        try await waitUntil { fixture.store.calls(.insertBooking) == 1 }
        let second = await fixture.reserve(eventID, "alice")

        #expect(await first.value.error == .seatTaken)
        #expect(second.value?.seatNumber == 1)
        #expect(fixture.observer.count(.lockContended) >= 1)
    }

    @Test func churnOfReserveAndCancelNeverOversellsAndLeavesTheCacheConsistent() async throws {
        let fixture = BookingFixture()
        let eventID = try await fixture.makeEvent(seats: 10)

        let rejections = await withTaskGroup(of: [ReservationError].self) { group in
            for user in 1...50 {
                group.addTask {
                    var rejections: [ReservationError] = []
                    for round in 0..<20 {
                        switch await fixture.reserve(eventID, "user\(user)") {
                        case .success(let booking):
                            // Keep some bookings to the end, so it finishes neither empty nor full by chance.
                            if round == 19, user.isMultiple(of: 7) { break }
                            do throws(ReservationError) { _ = try await fixture.service.cancel(bookingID: booking.id, userID: booking.userID, by: .trusted(isAdmin: false)) }
                            catch { rejections.append(error) }
                        case .failure(let error):
                            rejections.append(error)
                        }
                    }
                    return rejections
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }

        #expect(rejections.allSatisfy { $0 == .soldOut })
        #expect(fixture.store.maxConfirmed(eventID: eventID) <= 10)
        #expect(fixture.store.maxConfirmed(eventID: eventID) > 0)
        #expect(fixture.store.invariantViolations().isEmpty)
        try fixture.expectCacheMatchesStore(eventID: eventID)
        #expect(fixture.store.cancelled(eventID: eventID).count == fixture.observer.count(.cancelled))
        // Whatever is left free can still be booked.
        let left = 10 - fixture.store.confirmed(eventID: eventID).count
        let late = await fixture.reserveConcurrently(eventID, users: (1...12).map { "late\($0)" })
        #expect(late.compactMap(\.value).count == left)
        #expect(fixture.store.confirmed(eventID: eventID).map(\.seatNumber) == Array(1...10))
    }
}
