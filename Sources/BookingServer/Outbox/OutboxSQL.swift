/// The outbox relay's statements.
enum OutboxSQL {
    /// The oldest unsent rows ($1 at most), locked for this relay; other relays skip them.
    static let claimBatch = """
        SELECT id, message_id::text, routing_key, payload::text FROM outbox
        WHERE sent_at IS NULL
        ORDER BY id
        LIMIT $1
        FOR UPDATE SKIP LOCKED
        """

    /// $1: the ids, as a PostgreSQL array literal.
    static let markSent = "UPDATE outbox SET sent_at = clock_timestamp() WHERE id = ANY($1::int8[])"

    /// Sent rows older than $1 seconds go.
    static let prune = "DELETE FROM outbox WHERE sent_at < clock_timestamp() - $1::int8 * interval '1 second'"

    /// Rows waiting to be sent, for `booking_outbox_backlog`; read from the `outbox_unsent`
    /// partial index, so it costs what the backlog is, not what the table is.
    static let unsentCount = "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
}
