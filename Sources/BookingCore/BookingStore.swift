/// The system of record (PostgreSQL). Its constraints are what make the invariants hold; the
/// seat cache only makes the common case fast. Any method throws
/// ``ReservationError/storeUnavailable`` when the store cannot be reached.
///
/// A hold is a live booking with an end: while its end is ahead (by the store's clock) it counts
/// as a booking for every constraint; from its end on it counts for nothing, whether or not
/// anything has moved it to history yet, and reads as expired.
public protocol BookingStore: Sendable {
    func createEvent(name: String, totalSeats: Int) async throws -> Event
    func event(id: Int64) async throws -> Event?
    func events(limit: Int, after position: PagePosition?) async throws -> Page<Event>
    /// The event's seats and current holders (confirmed, and holds not lapsed, with their ends),
    /// to rebuild the seat cache; nil when no such event.
    func seatState(eventID: Int64) async throws -> SeatState?
    /// The event's seat map now and its version, read together (one snapshot); nil when no such
    /// event. A hold whose end has come reads as free.
    func seatMap(eventID: Int64) async throws -> SeatMap?
    /// Inserts a booking of a seat the cache allocated, confirmed or (with `holdSeconds`) held
    /// until the store's clock plus that, with its outbox message. A lapsed hold of the same user
    /// or seat in the way is moved to history as expired in the same transaction. Throws
    /// ``ReservationError/alreadyBooked`` or ``ReservationError/seatTaken`` when a live booking
    /// is in the way (the user check first), ``ReservationError/eventNotFound``, or
    /// ``ReservationError/seatOutOfRange(totalSeats:)``.
    func insertBooking(eventID: Int64, userID: String, seatNumber: Int, holdSeconds: Int?) async throws -> Booking
    /// Reserves or holds without the cache (it is unreachable): serialized per event by a row
    /// lock, slower, with every invariant kept. Throws as
    /// ``insertBooking(eventID:userID:seatNumber:holdSeconds:)`` and ``ReservationError/soldOut``.
    func reserveWithoutCache(eventID: Int64, userID: String, seatNumber: Int?, holdSeconds: Int?) async throws -> Booking
    /// Confirms the user's hold while its end is ahead, with its outbox message; a booking
    /// confirmed already is returned as it is. Throws ``ReservationError/bookingNotFound``,
    /// ``ReservationError/notOwner``, ``ReservationError/alreadyCancelled`` or
    /// ``ReservationError/holdExpired``.
    func confirmHold(id: Int64, userID: String) async throws -> Booking
    /// Moves the user's live booking (confirmed, or a hold not lapsed) to history with its outbox
    /// message. Throws ``ReservationError/bookingNotFound``, ``ReservationError/notOwner``,
    /// ``ReservationError/alreadyCancelled`` or ``ReservationError/holdExpired``.
    func cancelBooking(id: Int64, userID: String) async throws -> Booking
    /// Moves up to `limit` lapsed holds of any event to history as expired, each with its outbox
    /// message, skipping any another caller is moving: housekeeping, which no answer waits for.
    func expireLapsedHolds(limit: Int) async throws -> [LapsedHold]
    func booking(id: Int64) async throws -> Booking?
    func bookings(
        userID: String, status: Booking.Status?, limit: Int, after position: PagePosition?
    ) async throws -> Page<Booking>
}

/// A hold the store moved to history as expired: what the seat cache must free.
public struct LapsedHold: Sendable, Equatable {
    public var eventID: Int64
    public var userID: String
    public var seatNumber: Int

    public init(eventID: Int64, userID: String, seatNumber: Int) {
        self.eventID = eventID
        self.userID = userID
        self.seatNumber = seatNumber
    }
}

extension BookingStore {
    /// A confirmed booking (a reserve): no hold.
    public func insertBooking(eventID: Int64, userID: String, seatNumber: Int) async throws -> Booking {
        try await insertBooking(eventID: eventID, userID: userID, seatNumber: seatNumber, holdSeconds: nil)
    }

    public func reserveWithoutCache(eventID: Int64, userID: String, seatNumber: Int?) async throws -> Booking {
        try await reserveWithoutCache(eventID: eventID, userID: userID, seatNumber: seatNumber, holdSeconds: nil)
    }
}
