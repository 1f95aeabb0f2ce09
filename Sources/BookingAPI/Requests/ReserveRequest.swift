/// The body of `POST /api/bookings/reserve`: `{"event_id": 1, "user_id": "u", "seat_no": 17}`,
/// `seat_no` optional, unknown fields ignored.
public struct ReserveRequest: Sendable {
    public var eventID: Int64
    public var userID: String
    /// The seat asked for, or `nil` for any free seat. Not yet checked against `total_seats`.
    public var seatNumber: Int64?

    public init(eventID: Int64, userID: String, seatNumber: Int64? = nil) {
        self.eventID = eventID
        self.userID = userID
        self.seatNumber = seatNumber
    }

    /// Parses and validates a body; the error names the first offending field.
    /// A `"seat_no": null` is an error, not "any seat": the API rejects null where a number goes.
    public init(body: some Collection<UInt8>) throws(ValidationError) {
        let members = try RequestBody.object(from: body)
        self.eventID = try Validate.id(from: members["event_id"], field: "event_id")
        self.userID = try Validate.userID(from: members["user_id"])
        self.seatNumber = try members["seat_no"].map { json throws(ValidationError) in
            try Validate.seatNumber(from: json)
        }
    }
}

extension ReserveRequest: Hashable {
    /// Compares user ids by bytes: Swift's `String ==` treats canonically equivalent ids
    /// ("é" and "e" + U+0301) as equal, but they are different users.
    public static func == (lhs: ReserveRequest, rhs: ReserveRequest) -> Bool {
        lhs.eventID == rhs.eventID && lhs.seatNumber == rhs.seatNumber
            && lhs.userID.utf8.elementsEqual(rhs.userID.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventID)
        hasher.combine(seatNumber)
        for byte in userID.utf8 { hasher.combine(byte) }
    }
}
