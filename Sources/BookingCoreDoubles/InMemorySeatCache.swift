import BookingCore
import Synchronization

/// ``SeatCache`` in memory, with the Redis scripts' semantics: each method is one atomic step
/// (as one Lua script is), over per-event seat state that may be missing (cold), stale or
/// unreachable. Holds end by ``holdClock``, as Redis's by its clock.
public final class InMemorySeatCache: SeatCache {
    public enum Call: Hashable, CaseIterable, Sendable {
        case allocate, load, confirm, confirmHold, expire, abandon, release, invalidate
    }

    /// A user as Redis keys and members know them: the bytes of the id. (Swift's `String ==`
    /// would take canonically equivalent ids, "é" and "e" + U+0301, for one user.)
    public struct User: Hashable, Sendable, ExpressibleByStringLiteral {
        public let bytes: [UInt8]

        public init(_ id: String) { bytes = Array(id.utf8) }
        public init(stringLiteral id: String) { self.init(id) }
    }

    /// One event's keys (`{evt:42}:*` in Redis).
    public struct EventSeats: Equatable, Sendable {
        public var totalSeats: Int
        /// Allocated seats, committed or still in flight.
        public var taken: Set<Int> = []
        /// Users known to hold a confirmed booking, with its seat.
        public var holders: [User: Int] = [:]
        /// Users the store said hold a booking whose seat the cache was not told.
        public var holdersOfUnknownSeat: Set<User> = []
        /// The (event, user) locks: user → token.
        public var locks: [User: String] = [:]
        /// Held seats: seat → its user and its end (ms since 1970, rounded up, as in Redis).
        public var holds: [Int: Hold] = [:]

        public struct Hold: Equatable, Sendable {
            public var user: User
            public var endsMs: Int64
        }

        public init(
            totalSeats: Int, taken: Set<Int> = [], holders: [User: Int] = [:],
            holdersOfUnknownSeat: Set<User> = [], locks: [User: String] = [:]
        ) {
            self.totalSeats = totalSeats
            self.taken = taken
            self.holders = holders
            self.holdersOfUnknownSeat = holdersOfUnknownSeat
            self.locks = locks
        }

        /// The allocation's first step in Redis: every hold whose end has come is freed.
        mutating func sweep(nowMs: Int64) {
            for (seat, hold) in holds where hold.endsMs <= nowMs {
                holds[seat] = nil
                if holders[hold.user] == seat { holders[hold.user] = nil }
                taken.remove(seat)
            }
        }

        public func isBooked(_ user: User) -> Bool {
            holders[user] != nil || holdersOfUnknownSeat.contains(user)
        }
    }

    private struct State {
        var events: [Int64: EventSeats] = [:]
        var isDown = false
        var confirmFails = false
        var releaseFails = false
        var calls: [Call: Int] = [:]
        var hook: (@Sendable (Call) async throws -> Void)?
        /// Flush when this call's count reaches this number (see ``flush(before:number:)``).
        var flushBefore: (call: Call, number: Int)?
    }

    private let state = Mutex(State())
    /// What holds end by; share it with an ``InMemoryBookingStore`` to move both at once.
    public let holdClock: HoldClock

    public init(holdClock: HoldClock = HoldClock()) {
        self.holdClock = holdClock
    }

    /// A hold's end (µs) as the Redis adapter stores it: whole ms, rounded up.
    static func milliseconds(_ microseconds: Int64) -> Int64 { (microseconds + 999) / 1000 }

    // MARK: - Test controls

    /// Every call throws ``SimulatedOutage`` while true (Redis is down).
    public var isDown: Bool {
        get { state.withLock { $0.isDown } }
        set { state.withLock { $0.isDown = newValue } }
    }

    /// `confirm` throws (after the store committed) while true.
    public var confirmFails: Bool {
        get { state.withLock { $0.confirmFails } }
        set { state.withLock { $0.confirmFails = newValue } }
    }

    /// `release` throws (after the store cancelled) while true.
    public var releaseFails: Bool {
        get { state.withLock { $0.releaseFails } }
        set { state.withLock { $0.releaseFails = newValue } }
    }

    /// Forgets everything, locks included, as `FLUSHALL` or a restart without persistence would.
    public func flush() {
        state.withLock { $0.events = [:] }
    }

    /// Flushes just before the `number`-th `call` runs, so that call finds every event cold.
    /// Counted and flushed under the cache's lock: among concurrent calls exactly one is the
    /// `number`-th (a hook reading ``calls(_:)`` afterwards can miss it when two calls race).
    public func flush(before call: Call, number: Int) {
        state.withLock { $0.flushBefore = (call, number) }
    }

    /// Drops every lock, as their TTL running out would.
    public func expireLocks() {
        state.withLock { state in
            for eventID in state.events.keys { state.events[eventID]?.locks = [:] }
        }
    }

    /// Runs before each call, outside the lock; throwing makes that call fail.
    public func setHook(_ hook: (@Sendable (Call) async throws -> Void)?) {
        state.withLock { $0.hook = hook }
    }

    public func calls(_ call: Call) -> Int {
        state.withLock { $0.calls[call, default: 0] }
    }

    public var totalCalls: Int {
        state.withLock { $0.calls.values.reduce(0, +) }
    }

    public func resetCalls() {
        state.withLock { $0.calls = [:] }
    }

    /// What the cache holds for an event; nil when cold.
    public func seats(eventID: Int64) -> EventSeats? {
        state.withLock { $0.events[eventID] }
    }

    private func enter(_ call: Call) async throws {
        let hook = try state.withLock { state throws -> (@Sendable (Call) async throws -> Void)? in
            state.calls[call, default: 0] += 1
            if let trigger = state.flushBefore, trigger.call == call, state.calls[call] == trigger.number {
                state.events = [:]
            }
            if state.isDown { throw SimulatedOutage(what: "cache") }
            if call == .confirm, state.confirmFails { throw SimulatedOutage(what: "cache confirm") }
            if call == .release, state.releaseFails { throw SimulatedOutage(what: "cache release") }
            return state.hook
        }
        try await hook?(call)
    }

    // MARK: - SeatCache

    public func allocate(eventID: Int64, userID: String, seatNumber: Int?, lockToken: String) async throws -> SeatAllocation {
        try await enter(.allocate)
        let nowMs = holdClock.now / 1000
        return state.withLock { state in
            guard var seats = state.events[eventID] else { return .cold }
            if let seatNumber, !(1...seats.totalSeats).contains(seatNumber) {
                return .seatOutOfRange(totalSeats: seats.totalSeats)
            }
            seats.sweep(nowMs: nowMs)
            state.events[eventID] = seats
            if seats.isBooked(User(userID)) { return .alreadyBooked }
            if seats.locks[User(userID)] != nil { return .locked }
            let seat: Int
            if let seatNumber {
                if seats.taken.contains(seatNumber) { return .seatTaken }
                seat = seatNumber
            } else {
                guard let free = (1...seats.totalSeats).first(where: { !seats.taken.contains($0) }) else { return .soldOut }
                seat = free
            }
            seats.taken.insert(seat)
            seats.locks[User(userID)] = lockToken
            state.events[eventID] = seats
            return .allocated(seatNumber: seat)
        }
    }

    public func load(eventID: Int64, state seatState: SeatState) async throws {
        try await enter(.load)
        state.withLock { state in
            guard state.events[eventID] == nil else { return }
            var seats = EventSeats(totalSeats: seatState.totalSeats)
            for holder in seatState.holders {
                seats.taken.insert(holder.seatNumber)
                seats.holders[User(holder.userID)] = holder.seatNumber
                if let ends = holder.holdEnds {
                    seats.holds[holder.seatNumber] = .init(user: User(holder.userID), endsMs: Self.milliseconds(ends))
                }
            }
            state.events[eventID] = seats
        }
    }

    public func confirm(eventID: Int64, userID: String, seatNumber: Int, lockToken: String, holdEnds: Int64?) async throws {
        try await enter(.confirm)
        state.withLock { state in
            guard var seats = state.events[eventID] else { return }
            seats.taken.insert(seatNumber)
            seats.holders[User(userID)] = seatNumber
            if let holdEnds { seats.holds[seatNumber] = .init(user: User(userID), endsMs: Self.milliseconds(holdEnds)) }
            seats.holdersOfUnknownSeat.remove(User(userID))
            if seats.locks[User(userID)] == lockToken { seats.locks[User(userID)] = nil }
            state.events[eventID] = seats
        }
    }

    public func abandon(
        eventID: Int64, userID: String, seatNumber: Int, lockToken: String,
        seatHeldElsewhere: Bool, userHoldsAnother: Bool
    ) async throws {
        try await enter(.abandon)
        state.withLock { state in
            guard var seats = state.events[eventID] else { return }
            if seats.locks[User(userID)] == lockToken { seats.locks[User(userID)] = nil }
            if !seatHeldElsewhere, !seats.holders.values.contains(seatNumber) {
                seats.taken.remove(seatNumber)
            }
            if userHoldsAnother, seats.holders[User(userID)] == nil {
                seats.holdersOfUnknownSeat.insert(User(userID))
            }
            state.events[eventID] = seats
        }
    }

    public func confirmHold(eventID: Int64, userID: String, seatNumber: Int) async throws {
        try await enter(.confirmHold)
        state.withLock { state in
            guard var seats = state.events[eventID], seats.holds[seatNumber]?.user == User(userID) else { return }
            seats.holds[seatNumber] = nil
            state.events[eventID] = seats
        }
    }

    public func expire(eventID: Int64, userID: String, seatNumber: Int) async throws {
        try await enter(.expire)
        state.withLock { state in
            guard var seats = state.events[eventID], seats.holds[seatNumber]?.user == User(userID) else { return }
            seats.holds[seatNumber] = nil
            if seats.holders[User(userID)] == seatNumber { seats.holders[User(userID)] = nil }
            seats.taken.remove(seatNumber)
            state.events[eventID] = seats
        }
    }

    public func release(eventID: Int64, userID: String, seatNumber: Int) async throws {
        try await enter(.release)
        state.withLock { state in
            guard var seats = state.events[eventID] else { return }
            if seats.holds[seatNumber]?.user == User(userID) { seats.holds[seatNumber] = nil }
            if seats.holders[User(userID)] == seatNumber { seats.holders[User(userID)] = nil }
            seats.holdersOfUnknownSeat.remove(User(userID))
            if !seats.holders.values.contains(seatNumber) { seats.taken.remove(seatNumber) }
            state.events[eventID] = seats
        }
    }

    public func invalidate(eventID: Int64) async throws {
        try await enter(.invalidate)
        _ = state.withLock { $0.events.removeValue(forKey: eventID) }
    }
}
