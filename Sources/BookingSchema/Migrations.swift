/// The schema, one version after another. A version, once released, is never edited: a change
/// is a new version. Applied in order at start-up by ``Migrator``.
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public static let all: [Migration] = [
        Migration(version: 1, name: "events, bookings, history, outbox, idempotency keys", sql: """
            CREATE TABLE events (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
                total_seats integer NOT NULL CHECK (total_seats BETWEEN 1 AND 1000000),
                created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
            );
            CREATE INDEX events_newest_first ON events (created_at DESC, id DESC);

            -- A booking's seat count can never change under it.
            CREATE FUNCTION events_total_seats_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.total_seats <> OLD.total_seats THEN
                    RAISE EXCEPTION 'total_seats of an event cannot change'
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'events_total_seats_fixed';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER events_total_seats_fixed BEFORE UPDATE ON events
                FOR EACH ROW EXECUTE FUNCTION events_total_seats_fixed();

            -- Shared by confirmed bookings and their history: a booking keeps its id when cancelled.
            CREATE SEQUENCE booking_ids AS bigint;

            -- Confirmed bookings only. With seat_no within 1..total_seats (trigger below) and
            -- UNIQUE (event_id, seat_no), no event can hold more bookings than seats.
            CREATE TABLE bookings (
                id         bigint PRIMARY KEY DEFAULT nextval('booking_ids'),
                event_id   bigint NOT NULL,
                user_id    text NOT NULL,
                seat_no    integer NOT NULL CHECK (seat_no >= 1),
                created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                CONSTRAINT bookings_event_user_key UNIQUE (event_id, user_id),
                CONSTRAINT bookings_event_seat_key UNIQUE (event_id, seat_no)
            );
            CREATE INDEX bookings_by_user ON bookings (user_id, created_at DESC, id DESC);

            -- The event must exist and the seat be one of its seats. A trigger rather than a
            -- foreign key: a foreign key would lock the event row of every reservation of a hot
            -- event, and events are never deleted.
            CREATE FUNCTION bookings_seat_of_event() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                seats integer;
            BEGIN
                SELECT total_seats INTO seats FROM events WHERE id = NEW.event_id;
                IF seats IS NULL THEN
                    RAISE EXCEPTION 'event % does not exist', NEW.event_id
                        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'bookings_event_exists';
                END IF;
                IF NEW.seat_no > seats THEN
                    RAISE EXCEPTION 'seat % is above the event''s % seats', NEW.seat_no, seats
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_seat_in_range';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER bookings_seat_of_event BEFORE INSERT OR UPDATE ON bookings
                FOR EACH ROW EXECUTE FUNCTION bookings_seat_of_event();

            -- Cancelled bookings, moved here in the transaction that cancels them.
            CREATE TABLE booking_history (
                id           bigint PRIMARY KEY,
                event_id     bigint NOT NULL,
                user_id      text NOT NULL,
                seat_no      integer NOT NULL,
                created_at   timestamptz NOT NULL,
                cancelled_at timestamptz NOT NULL
            );
            CREATE INDEX booking_history_by_user ON booking_history (user_id, created_at DESC, id DESC);

            -- Messages to publish, written in the transaction of the change they announce.
            CREATE TABLE outbox (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                message_id  uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
                routing_key text NOT NULL,
                payload     jsonb NOT NULL,
                created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
                sent_at     timestamptz
            );
            CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

            -- Timestamps cross the wire as microseconds since 1970 (exact, unlike a float).
            CREATE FUNCTION epoch_us(ts timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT
                AS $$ SELECT (extract(epoch FROM ts) * 1000000)::bigint $$;
            CREATE FUNCTION from_epoch_us(us bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE STRICT
                AS $$ SELECT 'epoch'::timestamptz + us * interval '1 microsecond' $$;
            CREATE FUNCTION rfc3339_ms(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE STRICT
                AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

            -- Every confirmed and every cancelled booking announces itself through the outbox in
            -- its own transaction, whichever statement made it: the database enforces invariant 4.
            CREATE FUNCTION outbox_booking_message() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                -- Read through jsonb: the two tables differ in cancelled_at, which plpgsql would
                -- otherwise resolve on both.
                booking    jsonb := to_jsonb(NEW);
                kind       text := CASE TG_TABLE_NAME WHEN 'bookings' THEN 'booking.confirmed' ELSE 'booking.cancelled' END;
                message_id uuid := gen_random_uuid();
                created    timestamptz := (booking ->> 'created_at')::timestamptz;
                cancelled  timestamptz := (booking ->> 'cancelled_at')::timestamptz;
            BEGIN
                INSERT INTO outbox (message_id, routing_key, payload) VALUES (message_id, kind, jsonb_build_object(
                    'id', message_id,
                    'type', kind,
                    'occurred_at', rfc3339_ms(COALESCE(cancelled, created)),
                    'booking', jsonb_build_object(
                        'id', NEW.id, 'event_id', NEW.event_id, 'user_id', NEW.user_id, 'seat_no', NEW.seat_no,
                        'status', CASE WHEN cancelled IS NULL THEN 'confirmed' ELSE 'cancelled' END,
                        'created_at', rfc3339_ms(created), 'cancelled_at', rfc3339_ms(cancelled))));
                RETURN NULL;
            END $$;
            CREATE TRIGGER bookings_outbox AFTER INSERT ON bookings
                FOR EACH ROW EXECUTE FUNCTION outbox_booking_message();
            CREATE TRIGGER booking_history_outbox AFTER INSERT ON booking_history
                FOR EACH ROW EXECUTE FUNCTION outbox_booking_message();

            -- First final answers of reserve requests, replayed for retries with the same key.
            CREATE TABLE idempotency_keys (
                user_id         text NOT NULL,
                key             text NOT NULL,
                fingerprint     text NOT NULL,
                response_status integer,
                response_body   text,
                created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (user_id, key)
            );
            """),
        Migration(version: 2, name: "the worker's notifications and webhook attempts", sql: """
            -- QueueWorker's effect: one row per booking message, whose primary key is the message
            -- id, so a redelivered or twice-published message finds its row and does nothing.
            CREATE TABLE notifications (
                message_id   uuid PRIMARY KEY,
                -- The order in which the worker recorded them.
                seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                type         text NOT NULL CHECK (type IN ('booking.confirmed', 'booking.cancelled')),
                booking_id   bigint NOT NULL,
                event_id     bigint NOT NULL,
                user_id      text NOT NULL,
                seat_no      integer NOT NULL,
                occurred_at  timestamptz NOT NULL,
                payload      jsonb NOT NULL,
                recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
                -- off: no WEBHOOK_URL when recorded; pending: not yet accepted by the webhook;
                -- delivered: a 2xx answer; dead_lettered: sent to the dead-letter queue.
                webhook      text NOT NULL CHECK (webhook IN ('off', 'pending', 'delivered', 'dead_lettered')),
                delivered_at timestamptz
            );
            CREATE INDEX notifications_by_event ON notifications (event_id, seq);
            CREATE INDEX notifications_by_booking ON notifications (booking_id, seq);

            -- Every POST to the webhook, with what it answered (status, or the error without one).
            CREATE TABLE notification_attempts (
                message_id   uuid NOT NULL REFERENCES notifications (message_id),
                attempt      integer NOT NULL CHECK (attempt >= 1),
                attempted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                http_status  integer,
                error        text,
                PRIMARY KEY (message_id, attempt)
            );
            """),
        Migration(version: 3, name: "webhook attempts numbered on the notification row", sql: """
            -- Two copies of one message handled at once must not both take attempt n: the number
            -- now comes from an UPDATE of the notification row, which serializes them.
            ALTER TABLE notifications ADD COLUMN attempts integer NOT NULL DEFAULT 0;
            UPDATE notifications n SET attempts = a.made
                FROM (SELECT message_id, count(*)::int AS made FROM notification_attempts GROUP BY message_id) a
                WHERE a.message_id = n.message_id;
            """),
        Migration(version: 4, name: "timestamp helpers PostgreSQL can inline", sql: """
            -- Declared IMMUTABLE, these SQL functions were never inlined (their bodies are only
            -- STABLE: extract, to_char and timestamptz arithmetic read the session's settings), so
            -- every statement that used them parsed their bodies again: about a quarter of
            -- PostgreSQL's CPU per reservation (measured with perf). STABLE is what they are, and
            -- lets the planner put the expression in place.
            CREATE OR REPLACE FUNCTION epoch_us(ts timestamptz) RETURNS bigint LANGUAGE sql STABLE STRICT
                AS $$ SELECT (extract(epoch FROM ts) * 1000000)::bigint $$;
            CREATE OR REPLACE FUNCTION from_epoch_us(us bigint) RETURNS timestamptz LANGUAGE sql STABLE STRICT
                AS $$ SELECT 'epoch'::timestamptz + us * interval '1 microsecond' $$;
            CREATE OR REPLACE FUNCTION rfc3339_ms(ts timestamptz) RETURNS text LANGUAGE sql STABLE STRICT
                AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;
            """),
        Migration(version: 5, name: "outbox rows written by the booking statements; sent rows deleted", sql: """
            -- The outbox row of a booking change is now written by the statement that makes the
            -- change (a data-modifying WITH), in its transaction as before: the PL/pgSQL trigger
            -- cost PostgreSQL a function call, a to_jsonb of the row and a nested insert for each.
            DROP TRIGGER bookings_outbox ON bookings;
            DROP TRIGGER booking_history_outbox ON booking_history;
            DROP FUNCTION outbox_booking_message();

            -- The message of one booking change, as docs/api.md gives it. One SQL expression, so the
            -- planner inlines it into the statements that use it.
            CREATE FUNCTION booking_message(
                message_id uuid, kind text, booking_id bigint, event_id bigint, user_id text, seat_no integer,
                created timestamptz, cancelled timestamptz
            ) RETURNS jsonb LANGUAGE sql STABLE AS $$
                SELECT jsonb_build_object(
                    'id', message_id,
                    'type', kind,
                    'occurred_at', rfc3339_ms(COALESCE(cancelled, created)),
                    'booking', jsonb_build_object(
                        'id', booking_id, 'event_id', event_id, 'user_id', user_id, 'seat_no', seat_no,
                        'status', CASE WHEN cancelled IS NULL THEN 'confirmed' ELSE 'cancelled' END,
                        'created_at', rfc3339_ms(created), 'cancelled_at', rfc3339_ms(cancelled)))
            $$;

            -- The relay deletes a row in the transaction that publishes it (a delete writes no new
            -- row version and no index entries; marking it sent wrote both). What a worker
            -- received is in `notifications`.
            DELETE FROM outbox WHERE sent_at IS NOT NULL;
            """),
        Migration(version: 6, name: "outbox without the indexes that only cost writes", sql: """
            -- Since version 5 every outbox row is unsent (the relay deletes what it publishes), so
            -- the partial index of unsent rows repeats the primary key. The unique index on
            -- message_id guarded ids that the same statement draws from gen_random_uuid() (122
            -- random bits); a receiver deduplicates on the id in any case (notifications' key).
            -- Each index cost every booking change an entry, which the relay's delete then left
            -- dead for vacuum: PostgreSQL took about 11 % more booking inserts per second
            -- without the two (pgbench, the booking statement, 16 clients).
            DROP INDEX IF EXISTS outbox_unsent;
            ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_message_id_key;
            """),
        Migration(version: 7, name: "idempotency keys keep the outcome, not the response", sql: """
            -- The booking rules keep what a request decided (the booking, or the conflict that
            -- refused it) and the API renders it again for a retry, instead of keeping the bytes
            -- of one rendering. The fingerprint becomes the rules' own: the event and the seat
            -- asked for (the user is the key's scope). Rows written before are converted.
            ALTER TABLE idempotency_keys
                ADD COLUMN outcome text CHECK (outcome IN ('reserved', 'already_booked', 'sold_out', 'seat_taken')),
                ADD COLUMN booking_id bigint,
                ADD COLUMN event_id bigint,
                ADD COLUMN seat_no integer,
                ADD COLUMN booked_at timestamptz,
                ADD CONSTRAINT idempotency_keys_reserved_booking CHECK (
                    (outcome = 'reserved') = (booking_id IS NOT NULL AND event_id IS NOT NULL
                                              AND seat_no IS NOT NULL AND booked_at IS NOT NULL));
            UPDATE idempotency_keys SET
                fingerprint = 'reserve event=' || (fingerprint::jsonb ->> 'event_id')
                    || ' seat=' || COALESCE(fingerprint::jsonb ->> 'seat_no', 'any'),
                outcome = CASE response_status
                    WHEN 201 THEN 'reserved'
                    WHEN 409 THEN CASE response_body::jsonb ->> 'code'
                        WHEN 'ALREADY_BOOKED' THEN 'already_booked'
                        WHEN 'SOLD_OUT' THEN 'sold_out'
                        WHEN 'SEAT_TAKEN' THEN 'seat_taken' END END,
                booking_id = CASE WHEN response_status = 201 THEN (response_body::jsonb #>> '{booking,id}')::bigint END,
                event_id = CASE WHEN response_status = 201 THEN (response_body::jsonb #>> '{booking,event_id}')::bigint END,
                seat_no = CASE WHEN response_status = 201 THEN (response_body::jsonb #>> '{booking,seat_no}')::integer END,
                booked_at = CASE WHEN response_status = 201 THEN (response_body::jsonb #>> '{booking,created_at}')::timestamptz END
            WHERE fingerprint LIKE '{%';
            -- A claim whose answer could not be converted is dropped: its retry is a fresh attempt.
            DELETE FROM idempotency_keys WHERE response_status IS NOT NULL AND outcome IS NULL;
            ALTER TABLE idempotency_keys DROP COLUMN response_status, DROP COLUMN response_body;
            """),
        Migration(version: 8, name: "holds: bookings that lapse, and expired history", sql: """
            -- A hold (docs/api.md, "POST /api/bookings/hold") is a row of bookings with an end:
            -- live while expires_at is ahead of PostgreSQL's clock, under the same two unique
            -- constraints as a confirmed booking. A confirmed booking has none.
            ALTER TABLE bookings ADD COLUMN expires_at timestamptz;
            -- The expiry task's batches, oldest first, and an event's lapsed holds for the path
            -- without Redis; confirmed rows are in neither.
            CREATE INDEX bookings_holds_by_expiry ON bookings (expires_at) WHERE expires_at IS NOT NULL;
            CREATE INDEX bookings_holds_by_event ON bookings (event_id, expires_at) WHERE expires_at IS NOT NULL;

            -- History keeps how a booking ended: cancelled (when), or expired (its hold's end).
            ALTER TABLE booking_history
                ADD COLUMN status text NOT NULL DEFAULT 'cancelled',
                ADD COLUMN expires_at timestamptz,
                ALTER COLUMN cancelled_at DROP NOT NULL;
            ALTER TABLE booking_history ALTER COLUMN status DROP DEFAULT;
            ALTER TABLE booking_history ADD CONSTRAINT booking_history_status_times CHECK (
                (status = 'cancelled' AND cancelled_at IS NOT NULL AND expires_at IS NULL)
                OR (status = 'expired' AND expires_at IS NOT NULL AND cancelled_at IS NULL));

            -- The message of one booking change, with the booking's status and expires_at.
            DROP FUNCTION booking_message(uuid, text, bigint, bigint, text, integer, timestamptz, timestamptz);
            CREATE FUNCTION booking_message(
                message_id uuid, kind text, occurred timestamptz, booking_id bigint, event_id bigint, user_id text,
                seat_no integer, status text, created timestamptz, cancelled timestamptz, expires timestamptz
            ) RETURNS jsonb LANGUAGE sql STABLE AS $$
                SELECT jsonb_build_object(
                    'id', message_id,
                    'type', kind,
                    'occurred_at', rfc3339_ms(occurred),
                    'booking', jsonb_build_object(
                        'id', booking_id, 'event_id', event_id, 'user_id', user_id, 'seat_no', seat_no,
                        'status', status, 'created_at', rfc3339_ms(created),
                        'cancelled_at', rfc3339_ms(cancelled), 'expires_at', rfc3339_ms(expires)))
            $$;

            -- A hold's first answer, for its idempotent retries: the hold's end.
            ALTER TABLE idempotency_keys ADD COLUMN expires_at timestamptz;

            -- The worker records the two new kinds of change too.
            ALTER TABLE notifications DROP CONSTRAINT notifications_type_check;
            ALTER TABLE notifications ADD CONSTRAINT notifications_type_check
                CHECK (type IN ('booking.held', 'booking.confirmed', 'booking.cancelled', 'booking.expired'));
            """),
        Migration(version: 9, name: "seat versions and their changes, announced at commit", sql: """
            -- The seat map's version (docs/api.md, "GET /api/events/{event_id}/seats"): one more for
            -- every statement that changes an event's seats, written with the change, so the version
            -- and the seats PostgreSQL holds always agree. The row is locked from the change to the
            -- commit, so an event's versions commit in their order.
            ALTER TABLE events ADD COLUMN seat_version bigint NOT NULL DEFAULT 0;
            -- The seat-count guard only needs to see writes of total_seats, not of the version.
            DROP TRIGGER events_total_seats_fixed ON events;
            CREATE TRIGGER events_total_seats_fixed BEFORE UPDATE OF total_seats ON events
                FOR EACH ROW EXECUTE FUNCTION events_total_seats_fixed();

            -- After each statement that inserts, updates or deletes bookings: per event it touched,
            -- the version goes up by one and a notification on channel booking_seats carries the
            -- event, the new version and each seat's state after the statement, as text:
            -- "EVENT VERSION SEAT:STATE[:HOLD_END] ..." with STATE 0 free, 1 held (and the hold's
            -- end, µs since 1970), 2 taken. PostgreSQL delivers notifications at commit, in commit
            -- order, and only those of committed transactions. Past 7,000 bytes (notifications stop
            -- at 8,000) the seats give way to the word "resync": a listener reads the map again.
            -- Two statements over several events may lock their rows in different orders: PostgreSQL
            -- then rolls one back as a deadlock's victim, and the client runs it again.
            CREATE FUNCTION bookings_announce_seats() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE events e SET seat_version = e.seat_version + 1 WHERE e.id IN (SELECT event_id FROM changed);
                PERFORM pg_notify('booking_seats', e.id || ' ' || e.seat_version || ' ' ||
                           CASE WHEN octet_length(s.seats) > 7000 THEN 'resync' ELSE s.seats END)
                FROM (SELECT c.event_id, string_agg(c.seat_no::text || CASE
                             WHEN TG_OP = 'DELETE' THEN ':0'
                             WHEN c.expires_at IS NULL THEN ':2'
                             ELSE ':1:' || epoch_us(c.expires_at)::text END, ' ') AS seats
                      FROM changed c GROUP BY c.event_id) s
                JOIN events e ON e.id = s.event_id;
                RETURN NULL;
            END $$;
            CREATE TRIGGER bookings_announce_inserted AFTER INSERT ON bookings
                REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bookings_announce_seats();
            CREATE TRIGGER bookings_announce_updated AFTER UPDATE ON bookings
                REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bookings_announce_seats();
            CREATE TRIGGER bookings_announce_deleted AFTER DELETE ON bookings
                REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bookings_announce_seats();
            """),
    ]
}
