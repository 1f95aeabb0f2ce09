/// Something with a fixed number of seats that users reserve.
public struct Event: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var totalSeats: Int
    /// Confirmed bookings when the event was read.
    public var bookedSeats: Int
    /// Live holds (their end ahead) when the event was read.
    public var heldSeats: Int
    /// Microseconds since 1970-01-01 UTC.
    public var createdAt: Int64

    public var availableSeats: Int { totalSeats - bookedSeats - heldSeats }

    public init(id: Int64, name: String, totalSeats: Int, bookedSeats: Int, heldSeats: Int = 0, createdAt: Int64) {
        self.id = id
        self.name = name
        self.totalSeats = totalSeats
        self.bookedSeats = bookedSeats
        self.heldSeats = heldSeats
        self.createdAt = createdAt
    }
}
