import BookingCore
import Postgres

/// ``IdempotencyStore`` on PostgreSQL (`idempotency_keys`), so that a retry on any server
/// instance finds the first request's outcome. Failing to reach the database is
/// ``ReservationError/storeUnavailable``; the server's own errors stay as they are.
struct PostgresIdempotencyStore: IdempotencyStore {
    let client: PostgresClient

    func claim(userID: String, key: String, fingerprint: String) async throws -> IdempotencyClaim {
        let rows = try await run(PostgresQuery(IdempotencySQL.claim, binds: [.init(userID), .init(key), .init(fingerprint)]))
        // No row: a concurrent first claim is not visible to this statement yet.
        guard let row = rows.first else { return .inFlight }
        if try row.decode(0, as: Bool.self) { return .claimed }
        guard try row.decode(1, as: String.self) == fingerprint else { return .reused }
        guard let outcome = try row.decode(2, as: String?.self) else { return .inFlight }
        switch outcome {
        case "reserved":
            // The first answer as it was: a hold with its end, even past it.
            let expiresAt = try row.decode(7, as: Int64?.self)
            return .finished(.reserved(Booking(
                id: try row.decode(3), eventID: try row.decode(4), userID: userID, seatNumber: try row.decode(5),
                status: expiresAt == nil ? .confirmed : .held, createdAt: try row.decode(6), expiresAt: expiresAt
            )))
        case "already_booked": return .finished(.refused(.alreadyBooked))
        case "sold_out": return .finished(.refused(.soldOut))
        case "seat_taken": return .finished(.refused(.seatTaken))
        default: throw UnknownOutcome(outcome: outcome)
        }
    }

    func record(_ outcome: ReservationOutcome, userID: String, key: String) async throws {
        var binds: [PostgresBind] = [.init(userID), .init(key)]
        switch outcome {
        case .reserved(let booking):
            binds += [
                .init("reserved"), .init(booking.id), .init(booking.eventID), .init(booking.seatNumber), .init(booking.createdAt),
                PostgresBind(booking.expiresAt),
            ]
        case .refused(let refusal):
            binds += [.init(try Self.column(refusal)), .null, .null, .null, .null, .null]
        }
        _ = try await run(PostgresQuery(IdempotencySQL.record, binds: binds))
    }

    func release(userID: String, key: String) async throws {
        _ = try await run(PostgresQuery(IdempotencySQL.release, binds: [.init(userID), .init(key)]))
    }

    /// The `outcome` column's word for a refusal that is kept.
    private static func column(_ refusal: ReservationError) throws -> String {
        switch refusal {
        case .alreadyBooked: "already_booked"
        case .soldOut: "sold_out"
        case .seatTaken: "seat_taken"
        default: throw UnknownOutcome(outcome: "\(refusal)")
        }
    }

    /// An outcome this version cannot keep or read (a newer server's, or a bug).
    struct UnknownOutcome: Error {
        let outcome: String
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
