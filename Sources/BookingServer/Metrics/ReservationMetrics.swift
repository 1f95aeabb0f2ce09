import BookingCore
import CoreMetrics

/// What the booking rules decided, counted: `booking_reservations_total{outcome}`,
/// `booking_cancellations_total`, `booking_lock_contention_total` and
/// `booking_cache_bypass_total`. Every handle is made once, here.
struct ReservationMetrics: ReservationObserver {
    /// The `outcome` label of each answer, in the API's words (lower case).
    enum Outcome: String, CaseIterable, Sendable {
        case created
        case alreadyBooked = "already_booked"
        case soldOut = "sold_out"
        case seatTaken = "seat_taken"
        case eventNotFound = "event_not_found"
        case invalidSeat = "invalid_seat"
        case unavailable
        case rateLimited = "rate_limited"
        case `internal`

        init(_ rejection: ReservationError) {
            switch rejection {
            case .alreadyBooked: self = .alreadyBooked
            case .soldOut: self = .soldOut
            case .seatTaken: self = .seatTaken
            case .eventNotFound: self = .eventNotFound
            case .seatOutOfRange: self = .invalidSeat
            case .storeUnavailable: self = .unavailable
            case .rateLimited: self = .rateLimited
            // Not answers of a reservation; counted rather than lost if that ever changes.
            case .bookingNotFound, .notOwner, .alreadyCancelled, .holdExpired, .idempotencyKeyReused, .userRequired,
                 .forbidden, .internalFailure: self = .internal
            }
        }
    }

    private let outcomes: [Outcome: Counter]
    private let cancellations: Counter
    private let lockContentions: Counter
    private let cacheBypasses: Counter
    /// `booking_holds_expired_total`: lapsed holds the expiry task moved to history.
    private let holdsExpiredCount: Counter

    init(factory: any MetricsFactory) {
        outcomes = Dictionary(uniqueKeysWithValues: Outcome.allCases.map { outcome in
            (outcome, Counter(label: "booking_reservations_total", dimensions: [("outcome", outcome.rawValue)], factory: factory))
        })
        cancellations = Counter(label: "booking_cancellations_total", factory: factory)
        lockContentions = Counter(label: "booking_lock_contention_total", factory: factory)
        cacheBypasses = Counter(label: "booking_cache_bypass_total", factory: factory)
        holdsExpiredCount = Counter(label: "booking_holds_expired_total", factory: factory)
    }

    func reserved(_ booking: Booking) { outcomes[.created]!.increment() }
    func rejected(_ outcome: ReservationError) { outcomes[Outcome(outcome)]!.increment() }
    func cancelled() { cancellations.increment() }
    func lockContended() { lockContentions.increment() }
    func cacheBypassed() { cacheBypasses.increment() }
    func holdsExpired(_ count: Int) { holdsExpiredCount.increment(by: count) }
}
