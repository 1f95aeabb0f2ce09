/// A seat reservation: held (until `expiresAt`), confirmed, or kept as history: cancelled, or
/// expired (a hold that lapsed). A hold whose end has passed reads as expired before anything
/// has moved it.
public struct Booking: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case held
        case confirmed
        case cancelled
        case expired
    }

    public var id: Int64
    public var eventID: Int64
    public var userID: String
    public var seatNumber: Int
    public var status: Status
    /// Microseconds since 1970-01-01 UTC, as PostgreSQL keeps them.
    public var createdAt: Int64
    public var cancelledAt: Int64?
    /// The end of the hold while held, the moment it lapsed when expired, else nil.
    public var expiresAt: Int64?
    /// Filled in lists, which show it beside each booking.
    public var eventName: String?

    public init(
        id: Int64, eventID: Int64, userID: String, seatNumber: Int, status: Status,
        createdAt: Int64, cancelledAt: Int64? = nil, expiresAt: Int64? = nil, eventName: String? = nil
    ) {
        self.id = id
        self.eventID = eventID
        self.userID = userID
        self.seatNumber = seatNumber
        self.status = status
        self.createdAt = createdAt
        self.cancelledAt = cancelledAt
        self.expiresAt = expiresAt
        self.eventName = eventName
    }
}
