/// The worker's statements (tables in BookingSchema's migration 2).
enum NotificationSQL {
    /// Records a notification unless its message id is known, and answers in the same statement
    /// where it stands: (is_new, webhook, attempts, last_failure).
    /// $1 message id, $2 type, $3 booking, $4 event, $5 user, $6 seat, $7 occurred_at,
    /// $8 payload, $9 webhook state of a new row.
    static let record = """
        WITH inserted AS (
            INSERT INTO notifications
                (message_id, type, booking_id, event_id, user_id, seat_no, occurred_at, payload, webhook)
            VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::timestamptz, $8::jsonb, $9)
            ON CONFLICT (message_id) DO NOTHING
            RETURNING webhook
        )
        SELECT true, webhook, 0::int8, NULL::text FROM inserted
        UNION ALL
        \(known) AND NOT EXISTS (SELECT 1 FROM inserted)
        """

    /// Records many messages in one statement, webhook `off`, in the order given: $1 is a JSON
    /// array of their bodies, exactly as received (each already parsed strictly). Returns the
    /// ids it recorded; the others were known.
    static let recordAll = """
        INSERT INTO notifications
            (message_id, type, booking_id, event_id, user_id, seat_no, occurred_at, payload, webhook)
        SELECT (m ->> 'id')::uuid, m ->> 'type', (m -> 'booking' ->> 'id')::int8,
            (m -> 'booking' ->> 'event_id')::int8, m -> 'booking' ->> 'user_id',
            (m -> 'booking' ->> 'seat_no')::int4, (m ->> 'occurred_at')::timestamptz, m, 'off'
        FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS batch (m, position)
        ORDER BY position
        ON CONFLICT (message_id) DO NOTHING
        RETURNING message_id::text
        """

    /// Where a known notification stands, in the columns of ``record``. Also run on its own when
    /// ``record`` found a row committed after its snapshot (a concurrent copy of the message).
    static let known = """
        SELECT false, n.webhook,
            n.attempts::int8,
            (SELECT coalesce(a.error, 'HTTP ' || a.http_status) FROM notification_attempts a
                WHERE a.message_id = n.message_id ORDER BY a.attempt DESC LIMIT 1)
        FROM notifications n
        WHERE n.message_id = $1::uuid
        """

    /// Appends the next attempt of $1 with its $2 HTTP status or $3 error; $4 true marks the
    /// notification delivered in the same statement. The number comes from the notification
    /// row's counter, whose UPDATE waits for any concurrent one: no two attempts share it.
    static let recordAttempt = """
        WITH counted AS (
            UPDATE notifications SET
                attempts = attempts + 1,
                webhook = CASE WHEN $4::bool THEN 'delivered' ELSE webhook END,
                delivered_at = CASE WHEN $4::bool THEN clock_timestamp() ELSE delivered_at END
            WHERE message_id = $1::uuid
            RETURNING attempts
        )
        INSERT INTO notification_attempts (message_id, attempt, http_status, error)
        SELECT $1::uuid, attempts, $2::int4, $3 FROM counted
        RETURNING attempt
        """

    static let markDeadLettered = """
        UPDATE notifications SET webhook = 'dead_lettered' WHERE message_id = $1::uuid AND webhook = 'pending'
        """
}
