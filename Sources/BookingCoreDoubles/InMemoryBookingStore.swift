import BookingCore
import Synchronization

/// ``BookingStore`` in memory, with PostgreSQL's semantics: the constraints on confirmed bookings
/// (`UNIQUE (event_id, user_id)`, `UNIQUE (event_id, seat_no)`, seat in `1...total_seats`) are
/// checked on every write under one lock, the way the database's would be.
public final class InMemoryBookingStore: BookingStore {
    public enum Call: Hashable, CaseIterable, Sendable {
        case createEvent, event, events, seatState, insertBooking, reserveWithoutCache, cancelBooking, booking, bookings
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
        /// Every booking, confirmed or cancelled (the history stays).
        var bookings: [Int64: Booking] = [:]
        /// The two unique indexes on confirmed bookings.
        var confirmedByUser: [EventUser: Int64] = [:]
        var confirmedBySeat: [EventSeat: Int64] = [:]
        var nextEventID: Int64 = 1
        var nextBookingID: Int64 = 1
        var clock: Int64 = 1_795_000_000_000_000
        var clockStep: Int64 = 1
        var isDown = false
        var calls: [Call: Int] = [:]
        var hook: (@Sendable (Call) async throws -> Void)?
        /// The most confirmed bookings any event has had, read after each write.
        var maxConfirmed: [Int64: Int] = [:]

        mutating func tick() -> Int64 {
            clock += clockStep
            return clock
        }

        func confirmedCount(eventID: Int64) -> Int {
            confirmedBySeat.keys.lazy.filter { $0.eventID == eventID }.count
        }

        func event(_ row: EventRow) -> Event {
            Event(
                id: row.id, name: row.name, totalSeats: row.totalSeats,
                bookedSeats: confirmedCount(eventID: row.id), createdAt: row.createdAt
            )
        }

        /// The insert with its constraints, in the order the doc comment of
        /// ``BookingStore/insertBooking(eventID:userID:seatNumber:)`` gives: the user check first.
        mutating func insert(eventID: Int64, userID: String, seatNumber: Int) throws(ReservationError) -> Booking {
            guard let event = events[eventID] else { throw .eventNotFound }
            guard (1...event.totalSeats).contains(seatNumber) else { throw .seatOutOfRange(totalSeats: event.totalSeats) }
            let user = EventUser(eventID: eventID, userID: userID)
            let seat = EventSeat(eventID: eventID, seatNumber: seatNumber)
            guard confirmedByUser[user] == nil else { throw .alreadyBooked }
            guard confirmedBySeat[seat] == nil else { throw .seatTaken }
            let booking = Booking(
                id: nextBookingID, eventID: eventID, userID: userID, seatNumber: seatNumber,
                status: .confirmed, createdAt: tick()
            )
            nextBookingID += 1
            bookings[booking.id] = booking
            confirmedByUser[user] = booking.id
            confirmedBySeat[seat] = booking.id
            let count = confirmedCount(eventID: eventID)
            maxConfirmed[eventID] = max(maxConfirmed[eventID] ?? 0, count)
            return booking
        }

        func withEventName(_ booking: Booking) -> Booking {
            var booking = booking
            booking.eventName = events[booking.eventID]?.name
            return booking
        }
    }

    private let state = Mutex(State())

    public init() {}

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

    public func maxConfirmed(eventID: Int64) -> Int {
        state.withLock { $0.maxConfirmed[eventID, default: 0] }
    }

    /// Checks the invariants the database's constraints guarantee; empty when they all hold.
    public func invariantViolations() -> [String] {
        state.withLock { state in
            var violations: [String] = []
            let confirmed = state.bookings.values.filter { $0.status == .confirmed }
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
            let holders = state.bookings.values
                .filter { $0.eventID == eventID && $0.status == .confirmed }
                .sorted { $0.seatNumber < $1.seatNumber }
                .map { (userID: $0.userID, seatNumber: $0.seatNumber) }
            return SeatState(totalSeats: event.totalSeats, holders: holders)
        }
    }

    public func insertBooking(eventID: Int64, userID: String, seatNumber: Int) async throws -> Booking {
        try await enter(.insertBooking)
        return try state.withLock { state throws(ReservationError) in
            try state.insert(eventID: eventID, userID: userID, seatNumber: seatNumber)
        }
    }

    public func reserveWithoutCache(eventID: Int64, userID: String, seatNumber: Int?) async throws -> Booking {
        try await enter(.reserveWithoutCache)
        // One lock for everything: at least as serialized as PostgreSQL's row lock on the event.
        return try state.withLock { state throws(ReservationError) in
            guard let event = state.events[eventID] else { throw .eventNotFound }
            if let seatNumber {
                guard (1...event.totalSeats).contains(seatNumber) else { throw .seatOutOfRange(totalSeats: event.totalSeats) }
                return try state.insert(eventID: eventID, userID: userID, seatNumber: seatNumber)
            }
            guard state.confirmedByUser[EventUser(eventID: eventID, userID: userID)] == nil else { throw .alreadyBooked }
            guard let free = (1...event.totalSeats).first(where: {
                state.confirmedBySeat[EventSeat(eventID: eventID, seatNumber: $0)] == nil
            }) else { throw .soldOut }
            return try state.insert(eventID: eventID, userID: userID, seatNumber: free)
        }
    }

    public func cancelBooking(id: Int64, userID: String) async throws -> Booking {
        try await enter(.cancelBooking)
        return try state.withLock { state throws(ReservationError) in
            guard var booking = state.bookings[id] else { throw .bookingNotFound }
            guard booking.userID.utf8.elementsEqual(userID.utf8) else { throw .notOwner }
            guard booking.status == .confirmed else { throw .alreadyCancelled }
            booking.status = .cancelled
            booking.cancelledAt = state.tick()
            state.bookings[id] = booking
            state.confirmedByUser[EventUser(eventID: booking.eventID, userID: booking.userID)] = nil
            state.confirmedBySeat[EventSeat(eventID: booking.eventID, seatNumber: booking.seatNumber)] = nil
            return booking
        }
    }

    public func booking(id: Int64) async throws -> Booking? {
        try await enter(.booking)
        return state.withLock { $0.bookings[id] }
    }

    public func bookings(userID: String, status: Booking.Status?, limit: Int, after position: PagePosition?) async throws -> Page<Booking> {
        try await enter(.bookings)
        return state.withLock { state in
            let rows = state.bookings.values
                .filter { $0.userID.utf8.elementsEqual(userID.utf8) && (status == nil || $0.status == status) }
                .map { state.withEventName($0) }
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
