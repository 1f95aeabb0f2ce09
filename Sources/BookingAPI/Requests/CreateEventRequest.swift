/// The body of `POST /api/events`: `{"name": "Concert", "total_seats": 100}`.
public struct CreateEventRequest: Hashable, Sendable {
    public var name: String
    public var totalSeats: Int

    public init(name: String, totalSeats: Int) {
        self.name = name
        self.totalSeats = totalSeats
    }

    /// Parses and validates a body; the error names the first offending field.
    public init(body: some Collection<UInt8>) throws(ValidationError) {
        let members = try RequestBody.object(from: body)
        self.name = try Validate.eventName(from: members["name"])
        self.totalSeats = try Validate.totalSeats(from: members["total_seats"])
    }
}
