/// Something with a fixed number of seats that users reserve.
public struct Event: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var totalSeats: Int
    /// Confirmed bookings when the event was read.
    public var bookedSeats: Int
    /// Microseconds since 1970-01-01 UTC.
    public var createdAt: Int64

    public var availableSeats: Int { totalSeats - bookedSeats }

    public init(id: Int64, name: String, totalSeats: Int, bookedSeats: Int, createdAt: Int64) {
        self.id = id
        self.name = name
        self.totalSeats = totalSeats
        self.bookedSeats = bookedSeats
        self.createdAt = createdAt
    }
}
