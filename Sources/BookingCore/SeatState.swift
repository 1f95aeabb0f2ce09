/// What PostgreSQL holds about one event's seats: the truth the seat cache is rebuilt from.
public struct SeatState: Sendable, Equatable {
    public var totalSeats: Int
    /// Live bookings as (user, seat number, the hold's end in µs since 1970 or nil when confirmed).
    public var holders: [(userID: String, seatNumber: Int, holdEnds: Int64?)]

    public init(totalSeats: Int, holders: [(userID: String, seatNumber: Int, holdEnds: Int64?)]) {
        self.totalSeats = totalSeats
        self.holders = holders
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.totalSeats == rhs.totalSeats && lhs.holders.elementsEqual(rhs.holders, by: { $0 == $1 })
    }
}
