import BookingCore
import BookingMessages

/// Every statement the booking store runs: one constant each, values always bind parameters.
/// Timestamps come back as microseconds since 1970 (`epoch_us`, from the migrations).
enum BookingSQL {
    static let createEvent = """
        INSERT INTO events (name, total_seats) VALUES ($1, $2)
        RETURNING id, name, total_seats, 0::int8, epoch_us(created_at), 0::int8
        """

    /// An event's seat counts: confirmed bookings, and holds whose end is ahead of PostgreSQL's clock.
    private static let seatCounts = """
        (SELECT count(*) FILTER (WHERE b.expires_at IS NULL) FROM bookings b WHERE b.event_id = e.id),
               epoch_us(e.created_at),
               (SELECT count(*) FILTER (WHERE b.expires_at > clock_timestamp()) FROM bookings b WHERE b.event_id = e.id)
        """

    static let event = """
        SELECT e.id, e.name, e.total_seats, \(seatCounts)
        FROM events e WHERE e.id = $1
        """

    /// $1 limit, $2 and $3 the cursor's created_at (µs) and id, or NULL for the first page.
    static let events = """
        SELECT e.id, e.name, e.total_seats, \(seatCounts)
        FROM events e
        WHERE $2::int8 IS NULL OR (e.created_at, e.id) < (from_epoch_us($2::int8), $3::int8)
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT $1
        """

    static let totalSeats = "SELECT total_seats FROM events WHERE id = $1"

    /// A row of bookings that is a hold whose end is ahead of PostgreSQL's clock (`holdLive`), or
    /// one whose end has passed (`holdLapsed`), for statements that find their rows by id, user
    /// or seat. Written so that the planner cannot prove `expires_at IS NOT NULL` from them: where
    /// it can, it may take one of the holds' partial indexes, whose statistics lag a burst of
    /// holds, and read it whole. A confirm by id did: 11,199 index rows filtered for one booking,
    /// 541 confirms/s under `pgbench -c 32` against 2,184/s by the primary key
    /// (docs/performance.md, "Holds and the planner").
    private static let holdLive = holdLive(at: "clock_timestamp()")
    /// `holdLive` against the instant `now` (an SQL expression) instead of a reading of the clock.
    private static func holdLive(at now: String) -> String { "COALESCE(expires_at, '-infinity') > \(now)" }
    private static let holdLapsed = "COALESCE(expires_at, 'infinity') <= clock_timestamp()"

    private static let confirmed = BookingMessage.Kind.confirmed.rawValue
    private static let cancelled = BookingMessage.Kind.cancelled.rawValue
    private static let held = BookingMessage.Kind.held.rawValue
    private static let expired = BookingMessage.Kind.expired.rawValue

    /// The live bookings of an event, to load the seat cache: confirmed ones (no end) and holds
    /// whose end is ahead, with that end.
    static let seatHolders = """
        SELECT user_id, seat_no, epoch_us(expires_at) FROM bookings
        WHERE event_id = $1 AND (expires_at IS NULL OR expires_at > clock_timestamp())
        """

    /// The seat map of event $1 and its version in one snapshot: a row per live booking (seat,
    /// hold end), or one row without a seat when there is none; no row when no such event.
    static let seatMap = """
        SELECT e.total_seats, e.seat_version, b.seat_no, epoch_us(b.expires_at)
        FROM events e
        LEFT JOIN bookings b ON b.event_id = e.id AND COALESCE(b.expires_at, 'infinity') > clock_timestamp()
        WHERE e.id = $1
        """

    /// The booking and its outbox row, in one statement.
    static let insertBooking = """
        WITH booked AS (
            INSERT INTO bookings (event_id, user_id, seat_no) VALUES ($1, $2, $3)
            RETURNING id, event_id, user_id, seat_no, created_at
        ), \(announce(confirmed, status: "confirmed", from: "booked", occurred: "b.created_at"))
        SELECT id, event_id, user_id, seat_no, epoch_us(created_at) FROM booked
        """

    /// A hold of $4 seconds and its outbox row, in one statement; its end is PostgreSQL's clock
    /// plus the hold, as every later judgement of it is.
    static let insertHold = """
        WITH booked AS (
            INSERT INTO bookings (event_id, user_id, seat_no, expires_at)
            VALUES ($1, $2, $3, clock_timestamp() + $4::int4 * interval '1 second')
            RETURNING id, event_id, user_id, seat_no, created_at, expires_at
        ), \(announce(held, status: "held", from: "booked", occurred: "b.created_at", expires: "b.expires_at"))
        SELECT id, event_id, user_id, seat_no, epoch_us(created_at), epoch_us(expires_at) FROM booked
        """

    /// A group of bookings and their outbox rows, in one statement: $1 events, $2 users, $3 seats,
    /// $4 hold seconds (NULL: confirmed), element by element. A row that would break a unique
    /// constraint (a seat or a user of the event taken, by a booking before the statement or by an
    /// earlier row of the group) is left out rather than failing the group, and so is a seat the
    /// event does not have (the seat trigger would fail the whole statement for it): each row
    /// left out is tried again alone, where the constraint that refuses it answers its own request.
    static let insertGroup = """
        WITH asked AS (
            SELECT a.n, a.event_id, a.user_id, a.seat_no, a.hold_seconds
            FROM unnest($1::int8[], $2::text[], $3::int4[], $4::int4[])
                 WITH ORDINALITY AS a(event_id, user_id, seat_no, hold_seconds, n)
            JOIN events e ON e.id = a.event_id AND a.seat_no BETWEEN 1 AND e.total_seats
        ), booked AS (
            INSERT INTO bookings (event_id, user_id, seat_no, expires_at)
            SELECT event_id, user_id, seat_no, clock_timestamp() + hold_seconds * interval '1 second'
            FROM asked ORDER BY n
            ON CONFLICT DO NOTHING
            RETURNING id, event_id, user_id, seat_no, created_at, expires_at
        ), \(announceBooked)
        SELECT b.id, b.event_id, b.user_id, b.seat_no, epoch_us(b.created_at), epoch_us(b.expires_at)
        FROM booked b
        """

    /// The outbox rows of `booked` (new bookings with their `expires_at`): `booking.confirmed`
    /// for a booking without an end, `booking.held` for a hold.
    private static let announceBooked = """
        announced AS (
            INSERT INTO outbox (message_id, routing_key, payload)
            SELECT b.message_id, b.kind, booking_message(
                b.message_id, b.kind, b.created_at, b.id, b.event_id, b.user_id, b.seat_no, b.status, b.created_at, NULL, b.expires_at)
            FROM (SELECT gen_random_uuid() AS message_id, s.*,
                         CASE WHEN s.expires_at IS NULL THEN '\(confirmed)' ELSE '\(held)' END AS kind,
                         CASE WHEN s.expires_at IS NULL THEN 'confirmed' ELSE 'held' END AS status
                  FROM booked s) b
        )
        """

    /// Writes the outbox row of each booking of the row source `source` (aliased `b`): part of a
    /// `WITH` (PostgreSQL runs a data-modifying `WITH` to the end, read or not). The routing key
    /// is the message contract's constant, written into the statement once (a constant, not a
    /// value of a request). The message id is drawn in the select list of a subquery over the
    /// rows, so each row gets its own: a `LATERAL (SELECT gen_random_uuid())` that names no column
    /// of the row is evaluated once for all of them, which gave every hold an expiry batch moved
    /// the same id.
    private static func announce(
        _ kind: String, status: String, from source: String, occurred: String,
        cancelled: String = "NULL", expires: String = "NULL"
    ) -> String {
        """
        announced AS (
            INSERT INTO outbox (message_id, routing_key, payload)
            SELECT b.message_id, '\(kind)', booking_message(
                b.message_id, '\(kind)', \(occurred), b.id, b.event_id, b.user_id, b.seat_no, '\(status)',
                b.created_at, \(cancelled), \(expires))
            FROM (SELECT gen_random_uuid() AS message_id, s.* FROM \(source) s) b
        )
        """
    }

    /// The lapsed holds in the way of a new booking of $1 by user $2 of seat $3 (NULL: the user's
    /// only): moved to history as expired, each with its outbox row, in one statement. Runs in the
    /// transaction of the insert that follows it.
    static let expireLapsedInTheWay = """
        WITH lapsed AS (
            DELETE FROM bookings
            WHERE event_id = $1 AND (user_id = $2 OR seat_no = $3::int4) AND \(holdLapsed)
            RETURNING id, event_id, user_id, seat_no, created_at, expires_at
        ), \(moveToHistory)
        SELECT event_id, user_id, seat_no FROM moved
        """

    /// Every lapsed hold of event $1, for the path without the seat cache (after its event lock).
    static let expireLapsedOfEvent = """
        WITH lapsed AS (
            DELETE FROM bookings WHERE event_id = $1 AND expires_at <= clock_timestamp()
            RETURNING id, event_id, user_id, seat_no, created_at, expires_at
        ), \(moveToHistory)
        SELECT event_id, user_id, seat_no FROM moved
        """

    /// The expiry task's batch: up to $1 lapsed holds of any event, oldest first, skipping rows
    /// another instance (or a booking statement) holds locked.
    static let expireBatch = """
        WITH due AS (
            SELECT id FROM bookings WHERE expires_at <= clock_timestamp()
            ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
        ), lapsed AS (
            DELETE FROM bookings b USING due WHERE b.id = due.id
            RETURNING b.id, b.event_id, b.user_id, b.seat_no, b.created_at, b.expires_at
        ), \(moveToHistory)
        SELECT event_id, user_id, seat_no FROM moved
        """

    /// `lapsed` (bookings' shape with expires_at) into history as expired, announced.
    private static let moveToHistory = """
        moved AS (
            INSERT INTO booking_history (id, event_id, user_id, seat_no, created_at, status, expires_at)
            SELECT id, event_id, user_id, seat_no, created_at, 'expired', expires_at FROM lapsed
            RETURNING id, event_id, user_id, seat_no, created_at, expires_at
        ), \(announce(expired, status: "expired", from: "moved", occurred: "b.expires_at", expires: "b.expires_at"))
        """

    /// The user's live hold $1 becomes a confirmed booking, with its outbox row, in one
    /// statement: only while its end is ahead of PostgreSQL's clock. No row otherwise.
    static let confirmHold = confirming(nil)

    /// A group of confirms, as ``confirmHold`` each: $1 booking ids, $2 their users. A booking
    /// asked twice is confirmed once.
    static let confirmGroup = confirming(askedGroup)

    /// The confirm of the booking $1 of user $2, or, given `group` (a row source `a` of ids and
    /// users), of each of its bookings. PostgreSQL's clock is read once: the hold is judged live
    /// against that instant and its `booking.confirmed` message is dated by it. Read twice, a
    /// confirm judged just before the end could be dated just after it (a test of confirms racing
    /// the end saw one).
    private static func confirming(_ group: String?) -> String {
        """
        WITH judged AS MATERIALIZED (SELECT clock_timestamp() AS at), booked AS (
            UPDATE bookings b SET expires_at = NULL FROM judged j\(group.map { ", \($0)" } ?? "")
            WHERE \(group == nil ? "b.id = $1 AND b.user_id = $2" : "b.id = a.id AND b.user_id = a.user_id")
              AND \(holdLive(at: "j.at"))
            RETURNING b.id, b.event_id, b.user_id, b.seat_no, b.created_at, j.at AS judged_at
        ), \(announce(confirmed, status: "confirmed", from: "booked", occurred: "b.judged_at"))
        SELECT id, event_id, user_id, seat_no, epoch_us(created_at) FROM booked
        """
    }

    /// A group's bookings by id and user: $1 ids, $2 their users, element by element.
    private static let askedGroup = "unnest($1::int8[], $2::text[]) AS a(id, user_id)"

    /// Serializes reservations of one event for the path without the seat cache.
    /// The event's seat count, once this transaction holds the event's lock of the path without
    /// Redis: a transaction-scoped advisory lock (class 4242, the event id hashed), so that the
    /// reservations of one event through PostgreSQL alone, on every instance, pick their first free
    /// seat one at a time. Not the event's row: every insert of the cached path takes that row at
    /// its end (the seat version) while it holds its new booking's index entry, so a transaction
    /// that took the row first and then waited for such an entry deadlocked with it (a chaos run
    /// that killed a Redis primary met dozens of those).
    static let lockEvent = """
        WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(4242, hashint8($1::int8)))
        SELECT e.total_seats FROM events e, locked WHERE e.id = $1
        """

    /// The asked-for seat ($3), or the first free one after skipping $5 free ones (the first free
    /// one when fewer are free), confirmed ($4 NULL) or held for $4 seconds; no row when none is
    /// free. Runs after ``lockEvent`` and ``expireLapsedOfEvent`` in the same transaction, so it
    /// sees every booking of this path committed before the lock, none lapsed (a cached insert of
    /// the same seat meanwhile is a unique violation: seat taken).
    ///
    /// A seat is free when a scalar subquery finds no booking of it: one probe of the seat index
    /// per seat, which PostgreSQL cannot turn into a join. With `NOT EXISTS` it planned an anti
    /// join, and for an event too new for the table's statistics (one booking expected) a nested
    /// loop over all its bookings per seat: 1.5 s for an event of 6,000 bookings (10 ms now), with
    /// the event's lock held, so that during a Redis failover the reserves without Redis went one
    /// a second and dozens waited beyond 10 s.
    static let insertFirstFreeSeat = """
        WITH seat AS (
            SELECT COALESCE($3::int4, (\(freeSeats) LIMIT 1 OFFSET $5::int4),
                            CASE WHEN $5::int4 > 0 THEN (\(freeSeats) LIMIT 1) END) AS seat_no
        ), booked AS (
            INSERT INTO bookings (event_id, user_id, seat_no, expires_at)
            SELECT $1, $2, seat.seat_no, clock_timestamp() + $4::int4 * interval '1 second'
            FROM seat WHERE seat.seat_no IS NOT NULL
            RETURNING id, event_id, user_id, seat_no, created_at, expires_at
        ), \(announceBooked)
        SELECT id, event_id, user_id, seat_no, epoch_us(created_at), epoch_us(expires_at) FROM booked
        """

    /// The free seats of event $1 in order (see ``insertFirstFreeSeat``).
    private static let freeSeats = """
        SELECT s FROM events e, generate_series(1, e.total_seats) AS s
        WHERE e.id = $1 AND (SELECT b.seat_no FROM bookings b WHERE b.event_id = $1 AND b.seat_no = s) IS NULL
        """

    /// Whether the user has a live booking of the event (a lapsed hold is none).
    static let userHoldsBooking = """
        SELECT 1 FROM bookings
        WHERE event_id = $1 AND user_id = $2 AND (expires_at IS NULL OR expires_at > clock_timestamp())
        """

    /// Moves the user's live booking (confirmed, or held and not lapsed) to history and writes
    /// its outbox row, in one statement. No row when it is not theirs, or not live.
    static let cancelBooking = cancelling(nil)

    /// A group of cancels, as ``cancelBooking`` each: $1 booking ids, $2 their users.
    static let cancelGroup = cancelling(askedGroup)

    private static func cancelling(_ group: String?) -> String {
        """
        WITH lapsing AS (
            DELETE FROM bookings b\(group.map { " USING \($0)" } ?? "")
            WHERE \(group == nil ? "b.id = $1 AND b.user_id = $2" : "b.id = a.id AND b.user_id = a.user_id")
              AND (b.expires_at IS NULL OR b.expires_at > clock_timestamp())
            RETURNING b.*
        ), moved AS (
            INSERT INTO booking_history (id, event_id, user_id, seat_no, created_at, status, cancelled_at)
            SELECT id, event_id, user_id, seat_no, created_at, 'cancelled', clock_timestamp() FROM lapsing
            RETURNING id, event_id, user_id, seat_no, created_at, cancelled_at
        ), \(announce(cancelled, status: "cancelled", from: "moved", occurred: "b.cancelled_at", cancelled: "b.cancelled_at"))
        SELECT id, event_id, user_id, seat_no, epoch_us(created_at), epoch_us(cancelled_at) FROM moved
        """
    }

    /// A booking's status as PostgreSQL's clock reads it now: a row of bookings is `confirmed`
    /// (no end), `held` (its end ahead) or `expired` (its end passed, not yet moved).
    private static let liveStatus = """
        CASE WHEN expires_at IS NULL THEN 'confirmed' WHEN expires_at > clock_timestamp() THEN 'held' ELSE 'expired' END
        """

    /// Why a cancel or a confirm found nothing: the booking's owner and its status now.
    static let bookingOwner = """
        SELECT user_id, \(liveStatus) FROM bookings WHERE id = $1
        UNION ALL
        SELECT user_id, status FROM booking_history WHERE id = $1
        """

    static let booking = """
        SELECT id, event_id, user_id, seat_no, \(liveStatus), epoch_us(created_at), NULL::int8, epoch_us(expires_at)
        FROM bookings WHERE id = $1
        UNION ALL
        SELECT id, event_id, user_id, seat_no, status, epoch_us(created_at), epoch_us(cancelled_at), epoch_us(expires_at)
        FROM booking_history WHERE id = $1
        """

    /// A user's bookings, newest first: $1 user, $2 limit and, for a later page, $3 and $4 the
    /// cursor's created_at (µs) and id. One statement per status filter and page kind, so each
    /// plan holds only the scans it needs: PostgreSQL spent a third of a list in setting the
    /// plan up (`ExecutorStart`), and one-time filters and cursor conditions for nothing cost
    /// nodes and expressions there.
    static func bookingsOfUser(_ which: Booking.Status?, paged: Bool) -> String {
        paged ? pagedLists[which.map(\.rawValue) ?? "all"]! : firstPages[which.map(\.rawValue) ?? "all"]!
    }

    private static let firstPages = lists(paged: false)
    private static let pagedLists = lists(paged: true)

    private static func lists(paged: Bool) -> [String: String] {
        var lists = ["all": newest(of: [.live(nil), .history(nil)], paged: paged)]
        lists[Booking.Status.confirmed.rawValue] = newest(of: [.live(.confirmed)], paged: paged)
        lists[Booking.Status.held.rawValue] = newest(of: [.live(.held)], paged: paged)
        lists[Booking.Status.expired.rawValue] = newest(of: [.live(.expired), .history(.expired)], paged: paged)
        lists[Booking.Status.cancelled.rawValue] = newest(of: [.history(.cancelled)], paged: paged)
        return lists
    }

    /// Where a list's rows come from: bookings (confirmed, held, or lapsed and not yet moved),
    /// or history (cancelled or expired); nil: every status of that table.
    private enum Source {
        case live(Booking.Status?)
        case history(Booking.Status?)

        var rows: String {
            switch self {
            case .live(let status):
                let filter = switch status {
                case .confirmed: " AND expires_at IS NULL"
                case .held: " AND \(holdLive)"
                case .expired: " AND \(holdLapsed)"
                case .cancelled, nil: ""
                }
                return """
                    SELECT id, event_id, user_id, seat_no, \(liveStatus) AS status, created_at,
                           NULL::timestamptz AS cancelled_at, expires_at
                    FROM bookings WHERE user_id = $1\(filter)
                    """
            case .history(let status):
                let filter = status.map { " AND status = '\($0.rawValue)'" } ?? ""
                return """
                    SELECT id, event_id, user_id, seat_no, status, created_at, cancelled_at, expires_at
                    FROM booking_history WHERE user_id = $1\(filter)
                    """
            }
        }
    }

    /// The newest rows of the sources, up to $2, before the cursor when paged.
    private static func newest(of sources: [Source], paged: Bool) -> String {
        let cursor = paged ? " AND (created_at, id) < (from_epoch_us($3::int8), $4::int8)" : ""
        let parts = sources.map { "(\($0.rows)\(cursor) ORDER BY created_at DESC, id DESC LIMIT $2)" }
        return """
            SELECT x.id, x.event_id, x.user_id, x.seat_no, x.status, epoch_us(x.created_at), epoch_us(x.cancelled_at),
                   (SELECT e.name FROM events e WHERE e.id = x.event_id), epoch_us(x.expires_at)
            FROM (\(parts.joined(separator: " UNION ALL "))) x
            ORDER BY x.created_at DESC, x.id DESC
            LIMIT $2
            """
    }
}

/// Statements of the idempotency keys of reserve requests.
