/// What PostgreSQL holds about one event's seats: the truth the seat cache is rebuilt from.
public struct SeatState: Sendable, Equatable {
    public var totalSeats: Int
    /// Confirmed bookings as (user, seat number).
    public var holders: [(userID: String, seatNumber: Int)]

    public init(totalSeats: Int, holders: [(userID: String, seatNumber: Int)]) {
        self.totalSeats = totalSeats
        self.holders = holders
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.totalSeats == rhs.totalSeats && lhs.holders.elementsEqual(rhs.holders, by: { $0 == $1 })
    }
}
