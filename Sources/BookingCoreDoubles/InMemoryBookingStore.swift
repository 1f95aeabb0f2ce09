import BookingCore
import Synchronization

/// ``BookingStore`` in memory, with PostgreSQL's semantics: the constraints on live bookings
/// (`UNIQUE (event_id, user_id)`, `UNIQUE (event_id, seat_no)`, seat in `1...total_seats`) are
/// checked on every write under one lock, the way the database's would be. Holds are judged by
/// ``holdClock``, as PostgreSQL judges them by its own.
public final class InMemoryBookingStore: BookingStore {
    public enum Call: Hashable, CaseIterable, Sendable {
        case createEvent, event, events, seatState, seatMap, insertBooking, reserveWithoutCache, confirmHold, cancelBooking,
             expireLapsedHolds, booking, bookings
    }

    private struct EventRow {
        var id: Int64
        var name: String
        var totalSeats: Int
        var createdAt: Int64
    }

    /// A user id is its bytes, as PostgreSQL compares text: Swift's `String ==` would take
    /// canonically equivalent ids ("é" and "e" + U+0301) for one user.
    private struct EventUser: Hashable {
        var eventID: Int64
        var userID: [UInt8]

        init(eventID: Int64, userID: String) {
            self.eventID = eventID
            self.userID = Array(userID.utf8)
        }
    }

    private struct EventSeat: Hashable {
        var eventID: Int64
        var seatNumber: Int
    }

    private struct State {
        var events: [Int64: EventRow] = [:]
        /// Every booking, live or not (the history stays). A held booking whose end has passed
        /// stays `held` here until moved, and reads as expired.
        var bookings: [Int64: Booking] = [:]
        /// The two unique indexes on live bookings (rows of `bookings`, PostgreSQL's table).
        var confirmedByUser: [EventUser: Int64] = [:]
        var confirmedBySeat: [EventSeat: Int64] = [:]
        let holdClock: HoldClock
        var nextEventID: Int64 = 1
        var nextBookingID: Int64 = 1
        var clock: Int64 = 1_795_000_000_000_000
        var clockStep: Int64 = 1
        var isDown = false
        var calls: [Call: Int] = [:]
        var hook: (@Sendable (Call) async throws -> Void)?
        /// The most confirmed bookings any event has had, read after each write.
        var maxConfirmed: [Int64: Int] = [:]
        /// Each event's seat version, one more per change (as PostgreSQL's per statement).
        var seatVersions: [Int64: Int64] = [:]
        /// The feeds' subscribers (``InMemoryBookingStore/events()``).
        var feeds: [Int: AsyncStream<SeatFeedEvent>.Continuation] = [:]
        var nextFeed = 0

        /// One change of the event's seats: the next version, announced to every feed.
        mutating func announce(eventID: Int64, _ seats: [SeatChange.Seat]) {
            guard !seats.isEmpty else { return }
            let version = (seatVersions[eventID] ?? 0) + 1
            seatVersions[eventID] = version
            let change = SeatChange(eventID: eventID, version: version, seats: seats)
            for feed in feeds.values { feed.yield(.changed(change)) }
        }

        mutating func tick() -> Int64 {
            clock += clockStep
            return clock
        }

        /// The holds' clock: µs since 1970.
        func now() -> Int64 { holdClock.now }

        /// A row of `bookings` that counts: confirmed, or held with its end ahead.
        func isLive(_ booking: Booking) -> Bool {
            booking.status == .confirmed || (booking.status == .held && booking.expiresAt.map { $0 > now() } == true)
        }

        /// A booking as it reads now: a lapsed hold not yet moved reads as expired.
        func reading(_ booking: Booking) -> Booking {
            guard booking.status == .held, !isLive(booking) else { return booking }
            var expired = booking
            expired.status = .expired
            return expired
        }

        func liveIDs(eventID: Int64) -> [Int64] {
            confirmedBySeat.filter { $0.key.eventID == eventID }.map(\.value)
        }

        func event(_ row: EventRow) -> Event {
            let live = liveIDs(eventID: row.id).compactMap { bookings[$0] }
            return Event(
                id: row.id, name: row.name, totalSeats: row.totalSeats,
                bookedSeats: live.filter { $0.status == .confirmed }.count,
                heldSeats: live.filter { $0.status == .held && isLive($0) }.count, createdAt: row.createdAt
            )
        }

        /// Moves the booking (a row of `bookings`) to history as expired; announced unless the
        /// caller announces the batch it belongs to.
        mutating func expire(_ id: Int64, announcing: Bool = true) {
            guard var booking = bookings[id], booking.status == .held else { return }
            booking.status = .expired
            bookings[id] = booking
            confirmedByUser[EventUser(eventID: booking.eventID, userID: booking.userID)] = nil
            confirmedBySeat[EventSeat(eventID: booking.eventID, seatNumber: booking.seatNumber)] = nil
            if announcing { announce(eventID: booking.eventID, [.init(seatNumber: booking.seatNumber, state: .free)]) }
        }

        /// The insert with its constraints, in the order the doc comment of
        /// ``BookingStore/insertBooking(eventID:userID:seatNumber:holdSeconds:)`` gives: the user
        /// check first; a lapsed hold in the way is moved to history first.
        mutating func insert(eventID: Int64, userID: String, seatNumber: Int, holdSeconds: Int?) throws(ReservationError) -> Booking {
            guard let event = events[eventID] else { throw .eventNotFound }
            guard (1...event.totalSeats).contains(seatNumber) else { throw .seatOutOfRange(totalSeats: event.totalSeats) }
            let user = EventUser(eventID: eventID, userID: userID)
            let seat = EventSeat(eventID: eventID, seatNumber: seatNumber)
            for id in [confirmedByUser[user], confirmedBySeat[seat]].compactMap({ $0 }) {
                if let booking = bookings[id], !isLive(booking) { expire(id) }
            }
            guard confirmedByUser[user] == nil else { throw .alreadyBooked }
            guard confirmedBySeat[seat] == nil else { throw .seatTaken }
            let booking = Booking(
                id: nextBookingID, eventID: eventID, userID: userID, seatNumber: seatNumber,
                status: holdSeconds == nil ? .confirmed : .held, createdAt: tick(),
                expiresAt: holdSeconds.map { now() + Int64($0) * 1_000_000 }
            )
            nextBookingID += 1
            bookings[booking.id] = booking
            confirmedByUser[user] = booking.id
            confirmedBySeat[seat] = booking.id
            announce(eventID: eventID, [.init(seatNumber: seatNumber, state: booking.status == .held ? .held : .taken, holdEnd: booking.expiresAt)])
            let count = liveIDs(eventID: eventID).count
            maxConfirmed[eventID] = max(maxConfirmed[eventID] ?? 0, count)
            return booking
        }

        func withEventName(_ booking: Booking) -> Booking {
            var booking = reading(booking)
            booking.eventName = events[booking.eventID]?.name
            return booking
        }
    }

    private let state: Mutex<State>
    /// What holds are judged by; share it with an ``InMemorySeatCache`` to move both at once.
    public let holdClock: HoldClock

    public init(holdClock: HoldClock = HoldClock()) {
        self.holdClock = holdClock
        state = Mutex(State(holdClock: holdClock))
    }

    // MARK: - Test controls

    /// Every call throws ``ReservationError/storeUnavailable`` while true (PostgreSQL is down), as
    /// the port says a store does when it cannot be reached.
    public var isDown: Bool {
        get { state.withLock { $0.isDown } }
        set { state.withLock { $0.isDown = newValue } }
    }

    /// Runs before each call, outside the lock; throwing makes that call fail.
    public func setHook(_ hook: (@Sendable (Call) async throws -> Void)?) {
        state.withLock { $0.hook = hook }
    }

    /// Holds every `call` until `condition` holds (two seconds at most, then the call throws),
    /// then lets it go on, or fails it with `failure` when one is given.
    public func hold(_ call: Call, until condition: @escaping @Sendable () -> Bool, thenFailWith failure: ReservationError? = nil) {
        setHook { entered in
            guard entered == call else { return }
            try await waitUntil(condition)
            if let failure { throw failure }
        }
    }

    /// Microseconds between two timestamps; 0 gives every booking the same `createdAt`.
    public func setClockStep(_ step: Int64) {
        state.withLock { $0.clockStep = step }
    }

    public func calls(_ call: Call) -> Int {
        state.withLock { $0.calls[call, default: 0] }
    }

    public func resetCalls() {
        state.withLock { $0.calls = [:] }
    }

    /// The confirmed bookings of an event, by seat.
    public func confirmed(eventID: Int64) -> [Booking] {
        state.withLock { state in
            state.bookings.values.filter { $0.eventID == eventID && $0.status == .confirmed }
                .sorted { $0.seatNumber < $1.seatNumber }
        }
    }

    public func cancelled(eventID: Int64) -> [Booking] {
        state.withLock { state in
            state.bookings.values.filter { $0.eventID == eventID && $0.status == .cancelled }.sorted { $0.id < $1.id }
        }
    }

    /// The most live bookings (confirmed and held) any moment of the event has had.
    public func maxConfirmed(eventID: Int64) -> Int {
        state.withLock { $0.maxConfirmed[eventID, default: 0] }
    }

    /// Checks the invariants the database's constraints guarantee; empty when they all hold.
    public func invariantViolations() -> [String] {
        state.withLock { state in
            var violations: [String] = []
            // Live now: confirmed, and holds whose end is ahead.
            let confirmed = state.bookings.values.filter { state.isLive($0) }
            for (eventID, bookings) in Dictionary(grouping: confirmed, by: \.eventID) {
                let total = state.events[eventID]?.totalSeats ?? 0
                if bookings.count > total { violations.append("event \(eventID): \(bookings.count) > \(total) seats") }
                if Set(bookings.map { Array($0.userID.utf8) }).count != bookings.count { violations.append("event \(eventID): a user twice") }
                if Set(bookings.map(\.seatNumber)).count != bookings.count { violations.append("event \(eventID): a seat twice") }
                if bookings.contains(where: { !(1...total).contains($0.seatNumber) }) {
                    violations.append("event \(eventID): a seat out of range")
                }
            }
            return violations
        }
    }

    private func enter(_ call: Call) async throws {
        let hook = try state.withLock { state throws -> (@Sendable (Call) async throws -> Void)? in
            state.calls[call, default: 0] += 1
            if state.isDown { throw ReservationError.storeUnavailable }
            return state.hook
        }
        try await hook?(call)
    }

    // MARK: - BookingStore

    public func createEvent(name: String, totalSeats: Int) async throws -> Event {
        try await enter(.createEvent)
        return state.withLock { state in
            let row = EventRow(id: state.nextEventID, name: name, totalSeats: totalSeats, createdAt: state.tick())
            state.nextEventID += 1
            state.events[row.id] = row
            return state.event(row)
        }
    }

    public func event(id: Int64) async throws -> Event? {
        try await enter(.event)
        return state.withLock { state in state.events[id].map { state.event($0) } }
    }

    public func events(limit: Int, after position: PagePosition?) async throws -> Page<Event> {
        try await enter(.events)
        return state.withLock { state in
            let rows = state.events.values.map { state.event($0) }
            return Self.page(rows, limit: limit, after: position) { PagePosition(createdAt: $0.createdAt, id: $0.id) }
        }
    }

    public func seatState(eventID: Int64) async throws -> SeatState? {
        try await enter(.seatState)
        return state.withLock { state in
            guard let event = state.events[eventID] else { return nil }
            let holders = state.liveIDs(eventID: eventID).compactMap { state.bookings[$0] }
                .filter { state.isLive($0) }
                .sorted { $0.seatNumber < $1.seatNumber }
                .map { (userID: $0.userID, seatNumber: $0.seatNumber, holdEnds: $0.expiresAt) }
            return SeatState(totalSeats: event.totalSeats, holders: holders)
        }
    }

    public func seatMap(eventID: Int64) async throws -> SeatMap? {
        try await enter(.seatMap)
        return state.withLock { state in
            guard let event = state.events[eventID] else { return nil }
            var map = SeatMap(
                eventID: eventID, totalSeats: event.totalSeats, version: state.seatVersions[eventID] ?? 0,
                states: [UInt8](repeating: SeatMapState.free.code, count: event.totalSeats), holdEnds: [:]
            )
            for booking in state.liveIDs(eventID: eventID).compactMap({ state.bookings[$0] }) where state.isLive(booking) {
                if booking.status == .held, let end = booking.expiresAt {
                    map.states[booking.seatNumber - 1] = SeatMapState.held.code
                    map.holdEnds[booking.seatNumber] = end
                } else {
                    map.states[booking.seatNumber - 1] = SeatMapState.taken.code
                }
            }
            return map
        }
    }

    public func insertBooking(eventID: Int64, userID: String, seatNumber: Int, holdSeconds: Int?) async throws -> Booking {
        try await enter(.insertBooking)
        return try state.withLock { state throws(ReservationError) in
            try state.insert(eventID: eventID, userID: userID, seatNumber: seatNumber, holdSeconds: holdSeconds)
        }
    }

    public func reserveWithoutCache(eventID: Int64, userID: String, seatNumber: Int?, holdSeconds: Int?) async throws -> Booking {
        try await enter(.reserveWithoutCache)
        // One lock for everything: at least as serialized as PostgreSQL's row lock on the event.
        return try state.withLock { state throws(ReservationError) in
            guard let event = state.events[eventID] else { throw .eventNotFound }
            var lapsed: [SeatChange.Seat] = []
            for id in state.liveIDs(eventID: eventID) where state.bookings[id].map({ !state.isLive($0) }) == true {
                state.expire(id, announcing: false)
                if let booking = state.bookings[id] { lapsed.append(.init(seatNumber: booking.seatNumber, state: .free)) }
            }
            state.announce(eventID: eventID, lapsed)
            if let seatNumber {
                guard (1...event.totalSeats).contains(seatNumber) else { throw .seatOutOfRange(totalSeats: event.totalSeats) }
                return try state.insert(eventID: eventID, userID: userID, seatNumber: seatNumber, holdSeconds: holdSeconds)
            }
            guard state.confirmedByUser[EventUser(eventID: eventID, userID: userID)] == nil else { throw .alreadyBooked }
            guard let free = (1...event.totalSeats).first(where: {
                state.confirmedBySeat[EventSeat(eventID: eventID, seatNumber: $0)] == nil
            }) else { throw .soldOut }
            return try state.insert(eventID: eventID, userID: userID, seatNumber: free, holdSeconds: holdSeconds)
        }
    }

    public func confirmHold(id: Int64, userID: String) async throws -> Booking {
        try await enter(.confirmHold)
        return try state.withLock { state throws(ReservationError) in
            guard var booking = state.bookings[id] else { throw .bookingNotFound }
            guard booking.userID.utf8.elementsEqual(userID.utf8) else { throw .notOwner }
            switch state.reading(booking).status {
            case .confirmed: return booking
            case .cancelled: throw .alreadyCancelled
            case .expired: throw .holdExpired
            case .held:
                booking.status = .confirmed
                booking.expiresAt = nil
                state.bookings[id] = booking
                state.announce(eventID: booking.eventID, [.init(seatNumber: booking.seatNumber, state: .taken)])
                return booking
            }
        }
    }

    public func cancelBooking(id: Int64, userID: String) async throws -> Booking {
        try await enter(.cancelBooking)
        return try state.withLock { state throws(ReservationError) in
            guard var booking = state.bookings[id] else { throw .bookingNotFound }
            guard booking.userID.utf8.elementsEqual(userID.utf8) else { throw .notOwner }
            switch state.reading(booking).status {
            case .cancelled: throw .alreadyCancelled
            case .expired: throw .holdExpired
            case .confirmed, .held: break
            }
            booking.status = .cancelled
            booking.cancelledAt = state.tick()
            booking.expiresAt = nil
            state.bookings[id] = booking
            state.confirmedByUser[EventUser(eventID: booking.eventID, userID: booking.userID)] = nil
            state.confirmedBySeat[EventSeat(eventID: booking.eventID, seatNumber: booking.seatNumber)] = nil
            state.announce(eventID: booking.eventID, [.init(seatNumber: booking.seatNumber, state: .free)])
            return booking
        }
    }

    public func expireLapsedHolds(limit: Int) async throws -> [LapsedHold] {
        try await enter(.expireLapsedHolds)
        return state.withLock { state in
            let lapsed = state.confirmedBySeat.values.compactMap { state.bookings[$0] }
                .filter { $0.status == .held && !state.isLive($0) }
                .sorted { ($0.expiresAt ?? 0, $0.id) < ($1.expiresAt ?? 0, $1.id) }
                .prefix(limit)
            for booking in lapsed { state.expire(booking.id, announcing: false) }
            // One statement in PostgreSQL: one change per event.
            for (eventID, holds) in Dictionary(grouping: lapsed, by: \.eventID).sorted(by: { $0.key < $1.key }) {
                state.announce(eventID: eventID, holds.map { .init(seatNumber: $0.seatNumber, state: .free) })
            }
            return lapsed.map { LapsedHold(eventID: $0.eventID, userID: $0.userID, seatNumber: $0.seatNumber) }
        }
    }

    public func booking(id: Int64) async throws -> Booking? {
        try await enter(.booking)
        return state.withLock { state in state.bookings[id].map { state.reading($0) } }
    }

    public func bookings(userID: String, status: Booking.Status?, limit: Int, after position: PagePosition?) async throws -> Page<Booking> {
        try await enter(.bookings)
        return state.withLock { state in
            let rows = state.bookings.values
                .map { state.withEventName($0) }
                .filter { $0.userID.utf8.elementsEqual(userID.utf8) && (status == nil || $0.status == status) }
            return Self.page(rows, limit: limit, after: position) { PagePosition(createdAt: $0.createdAt, id: $0.id) }
        }
    }

    /// Newest first by (createdAt, id) descending, the rows after `position`, and a next
    /// position exactly when more remain.
    private static func page<Item>(
        _ items: [Item], limit: Int, after position: PagePosition?, key: (Item) -> PagePosition
    ) -> Page<Item> {
        let ordered = items
            .filter { item in
                guard let position else { return true }
                let k = key(item)
                return (k.createdAt, k.id) < (position.createdAt, position.id)
            }
            .sorted { (key($0).createdAt, key($0).id) > (key($1).createdAt, key($1).id) }
        let shown = Array(ordered.prefix(limit))
        let next = ordered.count > shown.count ? shown.last.map(key) : nil
        return Page(items: shown, next: next)
    }
}

extension InMemoryBookingStore: SeatChangeFeed {
    /// Every change from now on, in the order the store made them, as PostgreSQL's notifications.
    public func events() -> AsyncStream<SeatFeedEvent> {
        let (stream, continuation) = AsyncStream<SeatFeedEvent>.makeStream()
        let id = state.withLock { state in
            let id = state.nextFeed
            state.nextFeed += 1
            state.feeds[id] = continuation
            continuation.yield(.listening)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.removeFeed(id)
        }
        return stream
    }

    private func removeFeed(_ id: Int) {
        state.withLock { state in _ = state.feeds.removeValue(forKey: id) }
    }
}
