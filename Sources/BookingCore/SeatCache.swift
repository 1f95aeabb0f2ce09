/// The fast path's memory of each event's seats (Redis): which seat numbers are taken, which
/// users hold one, when each hold ends, and short per-(event, user) locks. A hold whose end has
/// come counts for nothing: the allocation that meets it frees it first. It may be empty, stale or unreachable at
/// any time; correctness never depends on it. Methods throw when the cache cannot be reached.
public protocol SeatCache: Sendable {
    /// Takes the (event, user) lock and a seat in one step.
    func allocate(eventID: Int64, userID: String, seatNumber: Int?, lockToken: String) async throws -> SeatAllocation

    /// Fills the cache for an event from the store's truth, unless another caller already did.
    func load(eventID: Int64, state: SeatState) async throws

    /// After the booking committed: the user holds `seatNumber` (until `holdEnds`, µs since 1970,
    /// for a hold: from then on the next allocation treats the seat and the user as free); the
    /// lock is released.
    func confirm(eventID: Int64, userID: String, seatNumber: Int, lockToken: String, holdEnds: Int64?) async throws
    /// The user's hold of `seatNumber` was confirmed: it no longer ends.
    func confirmHold(eventID: Int64, userID: String, seatNumber: Int) async throws
    /// The store moved the user's lapsed hold of `seatNumber` to history: freed, unless an
    /// allocation freed it already (and the seat may be another's since).
    func expire(eventID: Int64, userID: String, seatNumber: Int) async throws

    /// The insert did not happen: releases the lock and, unless the store said another booking
    /// holds it, gives the seat back. `userHoldsAnother` records that the store has a booking
    /// for this user the cache did not know about.
    func abandon(
        eventID: Int64, userID: String, seatNumber: Int, lockToken: String,
        seatHeldElsewhere: Bool, userHoldsAnother: Bool
    ) async throws

    /// A cancelled booking's (or hold's) seat returns to the pool and its user may book again.
    func release(eventID: Int64, userID: String, seatNumber: Int) async throws

    /// Forgets the event, so the next reservation loads it again from the store: for when the
    /// cache may hold something wrong (an update to it failed).
    func invalidate(eventID: Int64) async throws
}

/// The cache's answer to ``SeatCache/allocate(eventID:userID:seatNumber:lockToken:)``.
public enum SeatAllocation: Sendable, Equatable {
    case allocated(seatNumber: Int)
    /// Nothing cached for the event yet (cold start, flushed): load it and ask again.
    case cold
    /// Another request of the same user for the same event holds the lock right now.
    case locked
    case alreadyBooked
    case soldOut
    case seatTaken
    case seatOutOfRange(totalSeats: Int)
}

extension SeatCache {
    /// After a confirmed booking (a reserve) committed.
    public func confirm(eventID: Int64, userID: String, seatNumber: Int, lockToken: String) async throws {
        try await confirm(eventID: eventID, userID: userID, seatNumber: seatNumber, lockToken: lockToken, holdEnds: nil)
    }
}
