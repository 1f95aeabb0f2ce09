/// The outbox relay's statements.
enum OutboxSQL {
    /// Takes the oldest rows ($1 at most) out of the outbox, oldest first; other relays skip the
    /// rows this one has locked. The delete takes effect only if the transaction commits, which
    /// the relay does after the broker confirmed every message; else the rows are back.
    static let takeBatch = """
        WITH taken AS (
            DELETE FROM outbox WHERE id IN (
                SELECT id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            )
            RETURNING id, message_id::text, routing_key, payload::text
        )
        SELECT id, message_id, routing_key, payload FROM taken ORDER BY id
        """

    /// Rows waiting to be sent, for `booking_outbox_backlog`. Every row is (the relay deletes
    /// what it publishes), so the table is as large as the backlog.
    static let unsentCount = "SELECT count(*) FROM outbox"
}
