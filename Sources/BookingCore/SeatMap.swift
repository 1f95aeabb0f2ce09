/// An event's seats as the store holds them now (docs/api.md, "GET /api/events/{event_id}/seats"):
/// one state per seat, seat 1 first, and the version of the event's seats, which grows with every
/// change of them. A hold counts as free from its end on, whether or not it has been moved yet.
public struct SeatMap: Sendable, Equatable {
    public var eventID: Int64
    public var totalSeats: Int
    public var version: Int64
    /// One byte per seat, seat 1 first: `0`, `1` or `2` (ASCII) for free, held, taken.
    public var states: [UInt8]
    /// The end of each seat's hold (µs since 1970), for the seats held.
    public var holdEnds: [Int: Int64]

    public init(eventID: Int64, totalSeats: Int, version: Int64, states: [UInt8], holdEnds: [Int: Int64]) {
        self.eventID = eventID
        self.totalSeats = totalSeats
        self.version = version
        self.states = states
        self.holdEnds = holdEnds
    }

    /// The state of seat `seatNumber` (1-based) at `now` (µs since 1970): a hold whose end has
    /// come reads as free.
    public func state(of seatNumber: Int, at now: Int64) -> SeatMapState {
        let state = SeatMapState(code: states[seatNumber - 1])
        if state == .held, let end = holdEnds[seatNumber], end <= now { return .free }
        return state
    }

    /// The states as `/seats` writes them at `now`: lapsed holds as free.
    public func rendered(at now: Int64) -> [UInt8] {
        var rendered = states
        for (seat, end) in holdEnds where end <= now && rendered[seat - 1] == SeatMapState.held.code {
            rendered[seat - 1] = SeatMapState.free.code
        }
        return rendered
    }

    /// Applies one change of the seats (its version is the map's next).
    public mutating func apply(_ change: SeatChange) {
        for seat in change.seats ?? [] where seat.seatNumber >= 1 && seat.seatNumber <= totalSeats {
            states[seat.seatNumber - 1] = seat.state.code
            if seat.state == .held, let end = seat.holdEnd { holdEnds[seat.seatNumber] = end } else { holdEnds[seat.seatNumber] = nil }
        }
        version = change.version
    }
}

public enum SeatMapState: String, Sendable, Equatable {
    case free, held, taken

    /// The map's character for the state.
    public var code: UInt8 {
        switch self {
        case .free: UInt8(ascii: "0")
        case .held: UInt8(ascii: "1")
        case .taken: UInt8(ascii: "2")
        }
    }

    public init(code: UInt8) {
        switch code {
        case UInt8(ascii: "1"): self = .held
        case UInt8(ascii: "2"): self = .taken
        default: self = .free
        }
    }
}

/// What one committed statement did to one event's seats: the version it made, and each seat it
/// touched with its state after it (a seat at most once). `seats` nil: the change was too large to
/// announce, read the map again.
public struct SeatChange: Sendable, Equatable {
    public struct Seat: Sendable, Equatable {
        public var seatNumber: Int
        public var state: SeatMapState
        /// The hold's end (µs since 1970) when `state` is held.
        public var holdEnd: Int64?

        public init(seatNumber: Int, state: SeatMapState, holdEnd: Int64? = nil) {
            self.seatNumber = seatNumber
            self.state = state
            self.holdEnd = holdEnd
        }
    }

    public var eventID: Int64
    public var version: Int64
    public var seats: [Seat]?

    public init(eventID: Int64, version: Int64, seats: [Seat]?) {
        self.eventID = eventID
        self.version = version
        self.seats = seats
    }
}

/// The committed changes of every event's seats, in commit order, as the store announces them:
/// one subscription per server instance, fanned out in process (docs/architecture.md, "The live
/// seat map"). Each change of an event has the version after the one before it; after
/// ``SeatFeedEvent/lost`` (the subscription broke and was made again) changes may have been
/// missed, and every map must be read again.
public protocol SeatChangeFeed: Sendable {
    /// The feed from now on; it ends when the task iterating it is cancelled.
    func events() -> AsyncStream<SeatFeedEvent>
}

public enum SeatFeedEvent: Sendable, Equatable {
    /// The subscription is listening: changes committed from now on will come.
    case listening
    case changed(SeatChange)
    /// Changes may have been missed (the subscription was lost); it is listening again.
    case lost
}
