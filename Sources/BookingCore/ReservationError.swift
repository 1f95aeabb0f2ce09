/// Why a booking operation did not happen. Each case is one answer of the API.
public enum ReservationError: Error, Sendable, Equatable {
    case eventNotFound
    case bookingNotFound
    /// The asked-for seat number is above the event's seats.
    case seatOutOfRange(totalSeats: Int)
    case alreadyBooked
    case soldOut
    case seatTaken
    case notOwner
    case alreadyCancelled
    /// The hold's end has passed (whether or not anything has moved it yet).
    case holdExpired
    /// Too many reservation attempts of this user; try again after this many whole seconds.
    case rateLimited(retryAfterSeconds: Int)
    /// The `Idempotency-Key` was used before for a different request.
    case idempotencyKeyReused
    /// The request names no user, and nothing else says who it is for.
    case userRequired
    /// The request names another user than its token's subject (or its token has none).
    case forbidden
    /// PostgreSQL could not be reached; nothing was booked.
    case storeUnavailable
    /// The store failed in a way it never should (a bug); logged where it happened.
    case internalFailure
}

extension ReservationError {
    /// Whether an idempotent retry gets this answer again (the API's 409s): the others (400s,
    /// 429, 5xx) leave the key free, so a retry is a fresh attempt.
    var isFinal: Bool {
        switch self {
        case .alreadyBooked, .soldOut, .seatTaken: true
        default: false
        }
    }
}
