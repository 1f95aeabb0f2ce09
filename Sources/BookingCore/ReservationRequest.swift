/// One reserve or hold request as the booking rules take it: already validated by the wire format.
public struct ReservationRequest: Sendable, Equatable {
    /// A reserve books at once; a hold keeps the seat for `seconds` (nil: the configured default).
    public enum Kind: Sendable, Equatable {
        case reserve
        case hold(seconds: Int?)
    }

    public var kind: Kind
    public var eventID: Int64
    /// The user the request names; nil when it names none (the token mode's subject is used).
    public var userID: String?
    /// The seat asked for, or nil for the first free one.
    public var seatNumber: Int?
    /// The client's `Idempotency-Key`, scoped to `userID`.
    public var idempotencyKey: String?

    public init(
        _ kind: Kind = .reserve, eventID: Int64, userID: String?, seatNumber: Int? = nil, idempotencyKey: String? = nil
    ) {
        self.kind = kind
        self.eventID = eventID
        self.userID = userID
        self.seatNumber = seatNumber
        self.idempotencyKey = idempotencyKey
    }

    /// What makes two requests with one key "the same request": the endpoint, the event, the
    /// seat asked for and, for a hold, its `hold_seconds` as given (the user, whoever the request
    /// is for, is the key's scope). Stored beside the key, so its form is part of the schema.
    public var fingerprint: String {
        let seat = " event=\(eventID) seat=" + (seatNumber.map(String.init) ?? "any")
        switch kind {
        case .reserve: return "reserve" + seat
        case .hold(let seconds): return "hold" + seat + " hold=" + (seconds.map(String.init) ?? "default")
        }
    }
}
