/// The statements that check a run's events in PostgreSQL, each with bind parameters only.
enum VerificationSQL {
    /// $1 event id → total_seats.
    static let totalSeats = "SELECT total_seats FROM events WHERE id = $1"

    /// $1 event id, $2 its total_seats → rows of bookings (confirmed, and holds not yet moved),
    /// distinct users, distinct seats, seats outside 1…total_seats, and the confirmed ones.
    static let confirmedBookings = """
        SELECT count(*), count(DISTINCT user_id), count(DISTINCT seat_no),
               count(*) FILTER (WHERE seat_no < 1 OR seat_no > $2::integer),
               count(*) FILTER (WHERE expires_at IS NULL)
        FROM bookings WHERE event_id = $1
        """

    /// $1 event id → bookings cancelled, and holds expired (both moved to history).
    static let cancelledBookings = """
        SELECT count(*) FILTER (WHERE status = 'cancelled'), count(*) FILTER (WHERE status = 'expired')
        FROM booking_history WHERE event_id = $1
        """

    /// $1 event id → outbox rows announcing a change of the event's bookings, not yet published.
    static let unsentOutbox = """
        SELECT count(*) FROM outbox
        WHERE sent_at IS NULL AND (payload -> 'booking' ->> 'event_id')::bigint = $1
        """

    /// $1 event id → the worker's recorded 'booking.held', 'booking.confirmed', 'booking.cancelled'
    /// and 'booking.expired' messages.
    static let notifications = """
        SELECT count(*) FILTER (WHERE type = 'booking.held'), count(*) FILTER (WHERE type = 'booking.confirmed'),
               count(*) FILTER (WHERE type = 'booking.cancelled'), count(*) FILTER (WHERE type = 'booking.expired')
        FROM notifications WHERE event_id = $1
        """
}
