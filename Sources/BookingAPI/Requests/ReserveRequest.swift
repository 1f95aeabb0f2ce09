import StrictJSON

/// The body of `POST /api/bookings/reserve`: `{"event_id": 1, "user_id": "u", "seat_no": 17}`,
/// `seat_no` optional, unknown fields ignored; and of `POST /api/bookings/hold`, which may add
/// `"hold_seconds"` (1 … 3,600; absent or null: the server's `HOLD_SECONDS`).
public struct ReserveRequest: Sendable {
    public var eventID: Int64
    /// Nil when the body names no user: the token mode then books for the token's subject.
    public var userID: String?
    /// The seat asked for, or `nil` for any free seat. Not yet checked against `total_seats`.
    public var seatNumber: Int64?
    /// A hold's length as the body gives it; nil when absent or null (and always for a reserve).
    public var holdSeconds: Int?

    public init(eventID: Int64, userID: String?, seatNumber: Int64? = nil, holdSeconds: Int? = nil) {
        self.eventID = eventID
        self.userID = userID
        self.seatNumber = seatNumber
        self.holdSeconds = holdSeconds
    }

    /// A hold's body: a reserve's, and `hold_seconds`.
    public init(holdBody body: some Collection<UInt8>) throws(ValidationError) {
        let members = try RequestBody.object(from: body)
        try self.init(members: members)
        holdSeconds = try members["hold_seconds"].flatMap { json throws(ValidationError) in
            json == .null ? nil : try Validate.holdSeconds(from: json)
        }
    }

    /// Parses and validates a body; the error names the first offending field.
    /// A `"seat_no": null` is an error, not "any seat": the API rejects null where a number goes.
    public init(body: some Collection<UInt8>) throws(ValidationError) {
        try self.init(members: try RequestBody.object(from: body))
    }

    private init(members: [String: JSONValue]) throws(ValidationError) {
        self.eventID = try Validate.id(from: members["event_id"], field: "event_id")
        self.userID = try members["user_id"].map { json throws(ValidationError) in try Validate.userID(from: json) }
        self.seatNumber = try members["seat_no"].map { json throws(ValidationError) in
            try Validate.seatNumber(from: json)
        }
    }
}

extension ReserveRequest: Hashable {
    /// Compares user ids by bytes: Swift's `String ==` treats canonically equivalent ids
    /// ("é" and "e" + U+0301) as equal, but they are different users.
    public static func == (lhs: ReserveRequest, rhs: ReserveRequest) -> Bool {
        lhs.eventID == rhs.eventID && lhs.seatNumber == rhs.seatNumber && lhs.holdSeconds == rhs.holdSeconds
            && sameBytes(lhs.userID, rhs.userID)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventID)
        hasher.combine(seatNumber)
        hasher.combine(holdSeconds)
        hasher.combine(userID.map { Array($0.utf8) })
    }

    private static func sameBytes(_ lhs: String?, _ rhs: String?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): true
        case (let lhs?, let rhs?): lhs.utf8.elementsEqual(rhs.utf8)
        default: false
        }
    }
}
