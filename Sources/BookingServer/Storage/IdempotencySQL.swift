/// The statements of ``PostgresIdempotencyStore`` on `idempotency_keys` (migrations 1 and 7).
enum IdempotencySQL {
    /// The columns a claim reads back: claimed, fingerprint, outcome, booking id, event id, seat,
    /// booked at and, for a hold, its end (µs since 1970).
    private static let columns = "fingerprint, outcome, booking_id, event_id, seat_no, epoch_us(booked_at), epoch_us(expires_at)"

    /// Claims ($1 user, $2 key, $3 fingerprint) for this request, or returns the row that holds
    /// it: `claimed` true when this request is the first, or takes over a row over 24 h old or a
    /// claim left without an outcome for over 30 s (its request died, or could not record: no
    /// reserve runs that long, and the booking's unique constraints keep a retry from booking
    /// twice). No row at all when a concurrent claim committed after this statement's snapshot,
    /// or when the row it sees is one a concurrent claim is taking over.
    static let claim = """
        WITH claimed AS (
            INSERT INTO idempotency_keys (user_id, key, fingerprint) VALUES ($1, $2, $3)
            ON CONFLICT (user_id, key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, outcome = NULL, booking_id = NULL, event_id = NULL,
                    seat_no = NULL, booked_at = NULL, expires_at = NULL, created_at = clock_timestamp()
                WHERE \(takenOver("idempotency_keys"))
            RETURNING true, \(columns)
        )
        SELECT * FROM claimed
        UNION ALL
        SELECT false, \(columns) FROM idempotency_keys
        WHERE user_id = $1 AND key = $2 AND NOT EXISTS (SELECT 1 FROM claimed) AND NOT \(takenOver("idempotency_keys"))
        """

    /// A row another claim may take over: older than a day, or a claim without an outcome for
    /// 30 seconds.
    private static func takenOver(_ table: String) -> String {
        """
        (\(table).created_at < clock_timestamp() - interval '24 hours'
         OR (\(table).outcome IS NULL AND \(table).created_at < clock_timestamp() - interval '30 seconds'))
        """
    }

    /// Records ($1 user, $2 key) the outcome $3 and, for a booking, $4 id, $5 event, $6 seat,
    /// $7 booked at and $8 a hold's end (µs since 1970).
    static let record = """
        UPDATE idempotency_keys
        SET outcome = $3, booking_id = $4, event_id = $5, seat_no = $6, booked_at = from_epoch_us($7),
            expires_at = from_epoch_us($8)
        WHERE user_id = $1 AND key = $2
        """

    /// A request without a final outcome (400, 429, 5xx) frees its key for a fresh attempt.
    static let release = """
        DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND outcome IS NULL
        """
}
