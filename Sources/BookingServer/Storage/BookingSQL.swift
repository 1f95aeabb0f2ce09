import BookingCore
import BookingMessages

/// Every statement the booking store runs: one constant each, values always bind parameters.
/// Timestamps come back as microseconds since 1970 (`epoch_us`, from the migrations).
enum BookingSQL {
    static let createEvent = """
        INSERT INTO events (name, total_seats) VALUES ($1, $2)
        RETURNING id, name, total_seats, 0::int8, epoch_us(created_at)
        """

    static let event = """
        SELECT e.id, e.name, e.total_seats, (SELECT count(*) FROM bookings b WHERE b.event_id = e.id),
               epoch_us(e.created_at)
        FROM events e WHERE e.id = $1
        """

    /// $1 limit, $2 and $3 the cursor's created_at (µs) and id, or NULL for the first page.
    static let events = """
        SELECT e.id, e.name, e.total_seats, (SELECT count(*) FROM bookings b WHERE b.event_id = e.id),
               epoch_us(e.created_at)
        FROM events e
        WHERE $2::int8 IS NULL OR (e.created_at, e.id) < (from_epoch_us($2::int8), $3::int8)
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT $1
        """

    static let totalSeats = "SELECT total_seats FROM events WHERE id = $1"

    private static let confirmed = BookingMessage.Kind.confirmed.rawValue
    private static let cancelled = BookingMessage.Kind.cancelled.rawValue

    static let seatHolders = "SELECT user_id, seat_no FROM bookings WHERE event_id = $1"

    /// The booking and its outbox row, in one statement.
    static let insertBooking = """
        WITH booked AS (
            INSERT INTO bookings (event_id, user_id, seat_no) VALUES ($1, $2, $3)
            RETURNING id, event_id, user_id, seat_no, created_at
        ), \(announceConfirmed)
        SELECT id, event_id, user_id, seat_no, epoch_us(created_at) FROM booked
        """

    /// Writes the outbox row of each booking in `booked`: part of a `WITH` (PostgreSQL runs a
    /// data-modifying `WITH` to the end, read or not). The routing key is the message contract's
    /// constant, written into the statement once (a constant, not a value of a request).
    private static let announceConfirmed = """
        announced AS (
            INSERT INTO outbox (message_id, routing_key, payload)
            SELECT m.id, '\(confirmed)', booking_message(
                m.id, '\(confirmed)', b.id, b.event_id, b.user_id, b.seat_no, b.created_at, NULL)
            FROM booked b CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) m
        )
        """

    /// Serializes reservations of one event for the path without the seat cache.
    static let lockEvent = "SELECT total_seats FROM events WHERE id = $1 FOR UPDATE"

    /// The asked-for seat ($3), or the first free one; no row when none is free. Runs after
    /// ``lockEvent`` in the same transaction, so it sees every booking committed before the lock.
    static let insertFirstFreeSeat = """
        WITH seat AS (
            SELECT COALESCE($3::int4, (
                SELECT s FROM events e, generate_series(1, e.total_seats) AS s
                WHERE e.id = $1 AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.event_id = $1 AND b.seat_no = s)
                LIMIT 1)) AS seat_no
        ), booked AS (
            INSERT INTO bookings (event_id, user_id, seat_no)
            SELECT $1, $2, seat.seat_no FROM seat WHERE seat.seat_no IS NOT NULL
            RETURNING id, event_id, user_id, seat_no, created_at
        ), \(announceConfirmed)
        SELECT id, event_id, user_id, seat_no, epoch_us(created_at) FROM booked
        """

    static let userHoldsBooking = "SELECT 1 FROM bookings WHERE event_id = $1 AND user_id = $2"

    /// Moves the user's confirmed booking to history and writes its outbox row, in one
    /// statement. No row when it is not theirs, or not confirmed.
    static let cancelBooking = """
        WITH cancelled AS (
            DELETE FROM bookings WHERE id = $1 AND user_id = $2 RETURNING *
        ), moved AS (
            INSERT INTO booking_history (id, event_id, user_id, seat_no, created_at, cancelled_at)
            SELECT id, event_id, user_id, seat_no, created_at, clock_timestamp() FROM cancelled
            RETURNING id, event_id, user_id, seat_no, created_at, cancelled_at
        ), announced AS (
            INSERT INTO outbox (message_id, routing_key, payload)
            SELECT m.id, '\(cancelled)', booking_message(
                m.id, '\(cancelled)', h.id, h.event_id, h.user_id, h.seat_no, h.created_at, h.cancelled_at)
            FROM moved h CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) m
        )
        SELECT id, event_id, user_id, seat_no, epoch_us(created_at), epoch_us(cancelled_at) FROM moved
        """

    /// Why a cancel found nothing: the booking's owner and whether it is still confirmed.
    static let bookingOwner = """
        SELECT user_id, true FROM bookings WHERE id = $1
        UNION ALL
        SELECT user_id, false FROM booking_history WHERE id = $1
        """

    static let booking = """
        SELECT id, event_id, user_id, seat_no, true, epoch_us(created_at), NULL::int8 FROM bookings WHERE id = $1
        UNION ALL
        SELECT id, event_id, user_id, seat_no, false, epoch_us(created_at), epoch_us(cancelled_at)
        FROM booking_history WHERE id = $1
        """

    /// A user's bookings, newest first: $1 user, $2 limit and, for a later page, $3 and $4 the
    /// cursor's created_at (µs) and id. One statement per status filter and page kind, so each
    /// plan holds only the scans it needs: PostgreSQL spent a third of a list in setting the
    /// plan up (`ExecutorStart`), and one-time filters and cursor conditions for nothing cost
    /// nodes and expressions there.
    static func bookingsOfUser(_ which: Booking.Status?, paged: Bool) -> String {
        switch (which, paged) {
        case (.confirmed, false): confirmedOfUser
        case (.confirmed, true): confirmedOfUserPaged
        case (.cancelled, false): cancelledOfUser
        case (.cancelled, true): cancelledOfUserPaged
        case (nil, false): allOfUser
        case (nil, true): allOfUserPaged
        }
    }

    private static let confirmedOfUser = newest(.confirmed, paged: false)
    private static let confirmedOfUserPaged = newest(.confirmed, paged: true)
    private static let cancelledOfUser = newest(.cancelled, paged: false)
    private static let cancelledOfUserPaged = newest(.cancelled, paged: true)
    private static let allOfUser = newestOfBoth(paged: false)
    private static let allOfUserPaged = newestOfBoth(paged: true)

    /// The columns every variant answers with, from a row source `x` of bookings' shape.
    private static let listColumns = """
        x.id, x.event_id, x.user_id, x.seat_no, x.confirmed, epoch_us(x.created_at),
               epoch_us(x.cancelled_at), (SELECT e.name FROM events e WHERE e.id = x.event_id)
        """

    /// The newest rows of one table as `x`'s shape, up to $2, before the cursor when paged.
    private static func newestRows(_ status: Booking.Status, paged: Bool) -> String {
        let (table, cancelledAt) = status == .confirmed
            ? ("bookings", "NULL::timestamptz AS cancelled_at") : ("booking_history", "cancelled_at")
        let cursor = paged ? " AND (created_at, id) < (from_epoch_us($3::int8), $4::int8)" : ""
        return """
            SELECT id, event_id, user_id, seat_no, \(status == .confirmed) AS confirmed, created_at, \(cancelledAt)
            FROM \(table) WHERE user_id = $1\(cursor)
            ORDER BY created_at DESC, id DESC LIMIT $2
            """
    }

    private static func newest(_ status: Booking.Status, paged: Bool) -> String {
        "SELECT \(listColumns) FROM (\(newestRows(status, paged: paged))) x ORDER BY x.created_at DESC, x.id DESC"
    }

    private static func newestOfBoth(paged: Bool) -> String {
        """
        SELECT \(listColumns)
        FROM ((\(newestRows(.confirmed, paged: paged))) UNION ALL (\(newestRows(.cancelled, paged: paged)))) x
        ORDER BY x.created_at DESC, x.id DESC
        LIMIT $2
        """
    }
}

/// Statements of the idempotency keys of reserve requests.
