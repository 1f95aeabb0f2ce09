/// The statements that check a run's events in PostgreSQL, each with bind parameters only.
enum VerificationSQL {
    /// $1 event id → total_seats.
    static let totalSeats = "SELECT total_seats FROM events WHERE id = $1"

    /// $1 event id, $2 its total_seats → confirmed bookings, distinct users, distinct seats, seats
    /// outside 1…total_seats.
    static let confirmedBookings = """
        SELECT count(*), count(DISTINCT user_id), count(DISTINCT seat_no),
               count(*) FILTER (WHERE seat_no < 1 OR seat_no > $2::integer)
        FROM bookings WHERE event_id = $1
        """

    /// $1 event id → cancelled bookings (moved to history when cancelled).
    static let cancelledBookings = "SELECT count(*) FROM booking_history WHERE event_id = $1"

    /// $1 event id → outbox rows announcing a change of the event's bookings, not yet published.
    static let unsentOutbox = """
        SELECT count(*) FROM outbox
        WHERE sent_at IS NULL AND (payload -> 'booking' ->> 'event_id')::bigint = $1
        """

    /// $1 event id → the worker's recorded 'booking.confirmed' and 'booking.cancelled' messages.
    static let notifications = """
        SELECT count(*) FILTER (WHERE type = 'booking.confirmed'), count(*) FILTER (WHERE type = 'booking.cancelled')
        FROM notifications WHERE event_id = $1
        """
}
