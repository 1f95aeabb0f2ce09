/// Where the first final outcome of a request with an `Idempotency-Key` is kept per
/// (user, key) for 24 hours (PostgreSQL), so that a retry on any server instance gets it again.
/// Each method is one step; the waiting and the rule of what is kept are
/// ``BookingService``'s. Methods throw ``ReservationError/storeUnavailable`` when the store
/// cannot be reached.
public protocol IdempotencyStore: Sendable {
    /// Claims (user, key) for a request with `fingerprint`, or tells what holds it. A claim
    /// older than 24 hours counts as absent and is taken over.
    func claim(userID: String, key: String, fingerprint: String) async throws -> IdempotencyClaim

    /// Keeps the final outcome of the claimed request, for its retries.
    func record(_ outcome: ReservationOutcome, userID: String, key: String) async throws

    /// Frees a claim whose request ended without a final outcome; a recorded one stays.
    func release(userID: String, key: String) async throws
}

/// The answer to ``IdempotencyStore/claim(userID:key:fingerprint:)``.
public enum IdempotencyClaim: Sendable, Equatable {
    /// This request is the first with the key: run it, then record or release.
    case claimed
    /// Another request with the key is running (or the store could not tell yet): ask again.
    case inFlight
    /// A request with the key and the same fingerprint finished with this outcome.
    case finished(ReservationOutcome)
    /// The key was used with another fingerprint.
    case reused
}

/// A request's final outcome, as a retry gets it again: the booking as first answered, or the
/// conflict that refused it.
public enum ReservationOutcome: Sendable, Equatable {
    case reserved(Booking)
    case refused(ReservationError)

    public func get() throws(ReservationError) -> Booking {
        switch self {
        case .reserved(let booking): return booking
        case .refused(let error): throw error
        }
    }
}
