import BookingCore
import BookingCoreDoubles
import Foundation
import Testing

@testable import BookingServer

/// Holds in ``SeatCache``'s contract, on ``InMemorySeatCache`` and on ``RedisSeatCache`` over the
/// real Redis: a held seat and its user are taken until the hold's end, and free for the first
/// allocation from then on, in the same step.
@Suite("Holds: SeatCache contract")
struct HoldCacheContractTests {
    private func withCache(_ implementation: Implementation, _ body: (any SeatCache, Int64) async throws -> Void) async throws {
        try await implementation.withSeatCache(body)
    }

    /// µs since 1970, `seconds` from now.
    private func fromNow(_ seconds: Double) -> Int64 { Int64((Date().timeIntervalSince1970 + seconds) * 1_000_000) }

    /// Holds `seat` for `user` until `ends`, through the calls a hold makes: allocate, then confirm.
    private func hold(_ cache: any SeatCache, _ event: Int64, _ user: String, seat: Int, ends: Int64) async throws {
        #expect(try await cache.allocate(eventID: event, userID: user, seatNumber: seat, lockToken: "t-" + user) == .allocated(seatNumber: seat))
        try await cache.confirm(eventID: event, userID: user, seatNumber: seat, lockToken: "t-" + user, holdEnds: ends)
    }

    @Test(arguments: Implementation.allCases)
    func aHeldSeatAndItsUserAreTakenUntilTheEnd(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await cache.load(eventID: event, state: SeatState(totalSeats: 2, holders: []))
            try await hold(cache, event, "a", seat: 1, ends: fromNow(60))
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "x") == .alreadyBooked)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: 1, lockToken: "y") == .seatTaken)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "y") == .allocated(seatNumber: 2))
        }
    }

    @Test(arguments: Implementation.allCases)
    func fromItsEndAHoldIsFreeForTheNextAllocation(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await cache.load(eventID: event, state: SeatState(totalSeats: 1, holders: []))
            try await hold(cache, event, "a", seat: 1, ends: fromNow(2))
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "y") == .soldOut)
            try await Task.sleep(for: .milliseconds(2200))
            // Its seat goes to another user, and its user is free to book again.
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "y") == .allocated(seatNumber: 1))
            try await cache.confirm(eventID: event, userID: "b", seatNumber: 1, lockToken: "y")
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "z") == .soldOut)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aLoadedHoldEndsAsOneMadeHere(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await cache.load(eventID: event, state: SeatState(totalSeats: 2, holders: [
                (userID: "a", seatNumber: 1, holdEnds: fromNow(2)), (userID: "b", seatNumber: 2, holdEnds: nil),
            ]))
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "x") == .alreadyBooked)
            #expect(try await cache.allocate(eventID: event, userID: "c", seatNumber: nil, lockToken: "y") == .soldOut)
            try await Task.sleep(for: .milliseconds(2200))
            #expect(try await cache.allocate(eventID: event, userID: "c", seatNumber: nil, lockToken: "y") == .allocated(seatNumber: 1))
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "z") == .alreadyBooked)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aConfirmedHoldNoLongerEnds(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await cache.load(eventID: event, state: SeatState(totalSeats: 1, holders: []))
            try await hold(cache, event, "a", seat: 1, ends: fromNow(2))
            try await cache.confirmHold(eventID: event, userID: "a", seatNumber: 1)
            try await Task.sleep(for: .milliseconds(2200))
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "y") == .soldOut)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "x") == .alreadyBooked)
        }
    }

    @Test(arguments: Implementation.allCases)
    func expiringFreesTheHoldButNotASeatTakenSince(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await cache.load(eventID: event, state: SeatState(totalSeats: 2, holders: []))
            try await hold(cache, event, "a", seat: 1, ends: fromNow(60))
            // The store moved it (its end passed by the store's clock): freed.
            try await cache.expire(eventID: event, userID: "a", seatNumber: 1)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: 1, lockToken: "y") == .allocated(seatNumber: 1))
            try await cache.confirm(eventID: event, userID: "b", seatNumber: 1, lockToken: "y")
            // A second expiry of a's hold (another instance's) leaves b's seat alone.
            try await cache.expire(eventID: event, userID: "a", seatNumber: 1)
            #expect(try await cache.allocate(eventID: event, userID: "c", seatNumber: 1, lockToken: "z") == .seatTaken)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "w") == .alreadyBooked)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aCancelledHoldFreesItsSeatAndItsEnd(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await cache.load(eventID: event, state: SeatState(totalSeats: 1, holders: []))
            try await hold(cache, event, "a", seat: 1, ends: fromNow(2))
            try await cache.release(eventID: event, userID: "a", seatNumber: 1)
            try await hold(cache, event, "b", seat: 1, ends: fromNow(60))
            try await Task.sleep(for: .milliseconds(2200))
            // a's old end is gone with a's hold: b's seat stays b's.
            #expect(try await cache.allocate(eventID: event, userID: "c", seatNumber: nil, lockToken: "z") == .soldOut)
        }
    }
}
