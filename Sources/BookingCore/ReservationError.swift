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
    /// PostgreSQL could not be reached; nothing was booked.
    case storeUnavailable
    /// The store failed in a way it never should (a bug); logged where it happened.
    case internalFailure
}
