import BookingCore
import Postgres

/// The first final answer (201 or 409) of a reserve request per (user, Idempotency-Key), kept
/// 24 hours in PostgreSQL so that a retry on any server instance gets the same answer.
struct IdempotencyStore: Sendable {
    let client: PostgresClient
    /// How long a request waits for a concurrent one with the same key to finish.
    var waitLimit: Duration = .seconds(5)

    enum Claim: Equatable {
        /// This request is the first: run it, then ``complete`` or ``release``.
        case proceed
        /// The first request finished: answer this.
        case replay(status: Int, body: String)
        /// The key was used with a different request.
        case mismatch
    }

    func claim(userID: String, key: String, fingerprint: String) async throws -> Claim {
        let clock = ContinuousClock()
        let deadline = clock.now + waitLimit
        var waiting = false
        while true {
            let rows = try await run(waiting
                ? PostgresQuery(IdempotencySQL.current, binds: [.init(userID), .init(key)])
                : PostgresQuery(IdempotencySQL.claim, binds: [.init(userID), .init(key), .init(fingerprint)]))
            if let row = rows.first {
                if try row.decode(0, as: Bool.self) { return .proceed }
                guard try row.decode(1, as: String.self) == fingerprint else { return .mismatch }
                if let status = try row.decode(2, as: Int?.self), let body = try row.decode(3, as: String?.self) {
                    return .replay(status: status, body: body)
                }
                // The first request is still running: wait for its answer.
                waiting = true
            } else {
                // Either a concurrent first request committed after this statement's snapshot, or
                // the first request gave its key up: look again, claiming if it is free.
                waiting = false
            }
            guard clock.now < deadline else { throw ReservationError.storeUnavailable }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func complete(userID: String, key: String, status: Int, body: String) async throws {
        _ = try await run(PostgresQuery(IdempotencySQL.complete, binds: [.init(userID), .init(key), .init(status), .init(body)]))
    }

    func release(userID: String, key: String) async throws {
        _ = try await run(PostgresQuery(IdempotencySQL.release, binds: [.init(userID), .init(key)]))
    }

    private func run(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        do {
            return try await client.query(query)
        } catch let error as PostgresError where error.kind == .server {
            throw error
        } catch {
            throw ReservationError.storeUnavailable
        }
    }
}
