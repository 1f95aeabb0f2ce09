/// The system of record (PostgreSQL). Its constraints are what make the invariants hold; the
/// seat cache only makes the common case fast. Any method throws
/// ``ReservationError/storeUnavailable`` when the store cannot be reached.
public protocol BookingStore: Sendable {
    func createEvent(name: String, totalSeats: Int) async throws -> Event
    func event(id: Int64) async throws -> Event?
    func events(limit: Int, after position: PagePosition?) async throws -> Page<Event>

    /// The event's seats and current holders, to rebuild the seat cache; nil when no such event.
    func seatState(eventID: Int64) async throws -> SeatState?

    /// Inserts a confirmed booking of a seat the cache allocated, with its outbox message, in one
    /// round trip. Throws ``ReservationError/alreadyBooked`` or ``ReservationError/seatTaken``
    /// when a constraint says no (the user check first), ``ReservationError/eventNotFound``,
    /// or ``ReservationError/seatOutOfRange(totalSeats:)``.
    func insertBooking(eventID: Int64, userID: String, seatNumber: Int) async throws -> Booking

    /// Reserves without the cache (it is unreachable): serialized per event by a row lock,
    /// slower, with every invariant kept. Throws as ``insertBooking(eventID:userID:seatNumber:)``
    /// and ``ReservationError/soldOut``.
    func reserveWithoutCache(eventID: Int64, userID: String, seatNumber: Int?) async throws -> Booking

    /// Moves the user's booking to history with its outbox message. Throws
    /// ``ReservationError/bookingNotFound``, ``ReservationError/notOwner`` or
    /// ``ReservationError/alreadyCancelled``.
    func cancelBooking(id: Int64, userID: String) async throws -> Booking

    func booking(id: Int64) async throws -> Booking?
    func bookings(
        userID: String, status: Booking.Status?, limit: Int, after position: PagePosition?
    ) async throws -> Page<Booking>
}
