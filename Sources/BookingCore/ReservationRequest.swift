/// One reserve request as the booking rules take it: already validated by the wire format.
public struct ReservationRequest: Sendable, Equatable {
    public var eventID: Int64
    /// The user the request names; nil when it names none (the token mode's subject is used).
    public var userID: String?
    /// The seat asked for, or nil for the first free one.
    public var seatNumber: Int?
    /// The client's `Idempotency-Key`, scoped to `userID`.
    public var idempotencyKey: String?

    public init(eventID: Int64, userID: String?, seatNumber: Int? = nil, idempotencyKey: String? = nil) {
        self.eventID = eventID
        self.userID = userID
        self.seatNumber = seatNumber
        self.idempotencyKey = idempotencyKey
    }

    /// What makes two requests with one key "the same request": the event and the seat asked
    /// for (the user, whoever the request is for, is the key's scope). Stored beside the key, so
    /// its form is part of the schema.
    public var fingerprint: String {
        "reserve event=\(eventID) seat=" + (seatNumber.map(String.init) ?? "any")
    }
}
