import BookingCore
import BookingCoreDoubles
import Testing

@testable import BookingServer

/// ``SeatCache``'s contract, on ``InMemorySeatCache`` and on ``RedisSeatCache`` over the real
/// Redis: what each call answers and what it leaves for the next.
@Suite("SeatCache contract")
struct SeatCacheContractTests {
    /// A fresh cache of the kind, and an event id no other test uses.
    private func withCache(_ implementation: Implementation, _ body: (any SeatCache, Int64) async throws -> Void) async throws {
        try await implementation.withSeatCache(body)
    }

    private func loaded(_ cache: any SeatCache, _ eventID: Int64, seats: Int, holders: [(String, Int)] = []) async throws {
        try await cache.load(eventID: eventID, state: SeatState(totalSeats: seats, holders: holders.map { (userID: $0.0, seatNumber: $0.1, holdEnds: nil) }))
    }

    @Test(arguments: Implementation.allCases)
    func anEventNeverLoadedIsCold(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            #expect(try await cache.allocate(eventID: event, userID: "u", seatNumber: nil, lockToken: "t") == .cold)
            #expect(try await cache.allocate(eventID: event, userID: "u", seatNumber: 1, lockToken: "t") == .cold)
        }
    }

    @Test(arguments: Implementation.allCases)
    func allocationTakesTheFirstFreeSeatInOrder(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 4, holders: [("holder", 2)])
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "ta") == .allocated(seatNumber: 1))
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "tb") == .allocated(seatNumber: 3))
            #expect(try await cache.allocate(eventID: event, userID: "c", seatNumber: nil, lockToken: "tc") == .allocated(seatNumber: 4))
            #expect(try await cache.allocate(eventID: event, userID: "d", seatNumber: nil, lockToken: "td") == .soldOut)
        }
    }

    @Test(arguments: Implementation.allCases)
    func anAskedForSeatIsTakenOnceAndOnlyInRange(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 3)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: 2, lockToken: "ta") == .allocated(seatNumber: 2))
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: 2, lockToken: "tb") == .seatTaken)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: 4, lockToken: "tb") == .seatOutOfRange(totalSeats: 3))
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: 3, lockToken: "tb") == .allocated(seatNumber: 3))
        }
    }

    @Test(arguments: Implementation.allCases)
    func aUserIsLockedWhileTheirAllocationIsInFlight(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 5)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "first") == .allocated(seatNumber: 1))
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "second") == .locked)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "other") == .allocated(seatNumber: 2))
        }
    }

    @Test(arguments: Implementation.allCases)
    func aConfirmedUserIsAlreadyBookedAndTheSeatStaysTaken(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 2)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t") == .allocated(seatNumber: 1))
            try await cache.confirm(eventID: event, userID: "a", seatNumber: 1, lockToken: "t")
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t2") == .alreadyBooked)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: 2, lockToken: "t3") == .alreadyBooked)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: 1, lockToken: "t4") == .seatTaken)
        }
    }

    @Test(arguments: Implementation.allCases)
    func loadedHoldersAreBookedAndTheirSeatsTaken(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 2, holders: [("a", 1), ("b", 2)])
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t") == .alreadyBooked)
            #expect(try await cache.allocate(eventID: event, userID: "c", seatNumber: nil, lockToken: "t") == .soldOut)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aSecondLoadDoesNotOverwriteTheFirst(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 2)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t") == .allocated(seatNumber: 1))
            try await cache.confirm(eventID: event, userID: "a", seatNumber: 1, lockToken: "t")
            try await loaded(cache, event, seats: 2)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t2") == .alreadyBooked)
        }
    }

    @Test(arguments: Implementation.allCases)
    func anAbandonedAllocationGivesTheSeatAndTheLockBack(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 1)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t") == .allocated(seatNumber: 1))
            try await cache.abandon(eventID: event, userID: "a", seatNumber: 1, lockToken: "t", seatHeldElsewhere: false, userHoldsAnother: false)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t2") == .allocated(seatNumber: 1))
        }
    }

    @Test(arguments: Implementation.allCases)
    func aSeatTheStoreHoldsStaysTakenWhenAbandoned(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 2)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t") == .allocated(seatNumber: 1))
            try await cache.abandon(eventID: event, userID: "a", seatNumber: 1, lockToken: "t", seatHeldElsewhere: true, userHoldsAnother: false)
            // The lock is gone, the seat is not.
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t2") == .allocated(seatNumber: 2))
        }
    }

    @Test(arguments: Implementation.allCases)
    func aUserTheStoreKnowsAsBookedIsAlreadyBookedAfterAbandoning(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 3)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t") == .allocated(seatNumber: 1))
            try await cache.abandon(eventID: event, userID: "a", seatNumber: 1, lockToken: "t", seatHeldElsewhere: false, userHoldsAnother: true)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t2") == .alreadyBooked)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: 1, lockToken: "t3") == .allocated(seatNumber: 1))
        }
    }

    @Test(arguments: Implementation.allCases)
    func aReleasedSeatAndUserAreFreeAgain(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 1, holders: [("a", 1)])
            try await cache.release(eventID: event, userID: "a", seatNumber: 1)
            #expect(try await cache.allocate(eventID: event, userID: "b", seatNumber: nil, lockToken: "t") == .allocated(seatNumber: 1))
            try await cache.abandon(eventID: event, userID: "b", seatNumber: 1, lockToken: "t", seatHeldElsewhere: false, userHoldsAnother: false)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: 1, lockToken: "t2") == .allocated(seatNumber: 1))
        }
    }

    @Test(arguments: Implementation.allCases)
    func anInvalidatedEventIsColdAgain(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 1)
            try await cache.invalidate(eventID: event)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "t") == .cold)
        }
    }

    @Test(arguments: Implementation.allCases)
    func anAbandonWithAnotherTokenLeavesTheLockToItsHolder(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 2)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "mine") == .allocated(seatNumber: 1))
            try await cache.abandon(eventID: event, userID: "a", seatNumber: 1, lockToken: "not-mine", seatHeldElsewhere: true, userHoldsAnother: false)
            #expect(try await cache.allocate(eventID: event, userID: "a", seatNumber: nil, lockToken: "again") == .locked)
        }
    }

    @Test(arguments: Implementation.allCases)
    func usersAreTheBytesOfTheirID(_ implementation: Implementation) async throws {
        try await withCache(implementation) { (cache, event) async throws in
            try await loaded(cache, event, seats: 2, holders: [("\u{E9}", 1)])
            #expect(try await cache.allocate(eventID: event, userID: "e\u{301}", seatNumber: nil, lockToken: "t") == .allocated(seatNumber: 2))
            #expect(try await cache.allocate(eventID: event, userID: "\u{E9}", seatNumber: nil, lockToken: "t2") == .alreadyBooked)
        }
    }
}
