import BookingCore
import Foundation
import Postgres
import Testing

@testable import BookingServer

/// The statements that find bookings by id, user or seat cannot be planned over the holds'
/// partial indexes (`bookings_holds_by_expiry`, `bookings_holds_by_event`), whatever their
/// statistics say; the expiry task's batch, which is what those indexes are for, is.
///
/// Each plan is taken against a temporary copy of `bookings` (the same columns and partial
/// indexes, no other index, first in the search path, dropped with the transaction, which is
/// rolled back), with sequential scans priced out: a statement whose conditions let the planner
/// use a partial index is planned over it. A confirm once took a partial
/// index whose statistics lagged a burst of holds and read 11,199 of its rows for one booking
/// (docs/performance.md, "Holds and the planner").
@Suite("Hold plans")
struct HoldPlanTests {
    private struct RolledBack: Error {
        let partialIndexes: [String: Set<String>]
    }

    /// For each statement, the partial indexes of the copy that its plan reads.
    private func partialIndexesRead(by statements: [String: PostgresQuery]) async throws -> [String: Set<String>] {
        try await TestSchema.ensureMigrated()
        return try await TestDatabase.withClient { client in
            do {
                return try await client.withTransaction { connection in
                    _ = try await connection.query(PostgresQuery(
                        "CREATE TEMP TABLE bookings (LIKE public.bookings INCLUDING ALL) ON COMMIT DROP"
                    ))
                    // Only the partial indexes stay: with sequential scans priced out, a statement
                    // reads one wherever its conditions let the planner use it.
                    let constraints = try await connection.query(PostgresQuery("""
                        SELECT conname FROM pg_constraint
                        WHERE conrelid = 'pg_temp.bookings'::regclass AND contype IN ('p', 'u')
                        """))
                    for name in try constraints.map({ try $0.decode(0, as: String.self) }) {
                        _ = try await connection.query(PostgresQuery("ALTER TABLE pg_temp.bookings DROP CONSTRAINT \"\(name)\""))
                    }
                    let whole = try await connection.query(PostgresQuery("""
                        SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                        WHERE i.indrelid = 'pg_temp.bookings'::regclass AND i.indpred IS NULL
                        """))
                    for name in try whole.map({ try $0.decode(0, as: String.self) }) {
                        _ = try await connection.query(PostgresQuery("DROP INDEX pg_temp.\"\(name)\""))
                    }
                    _ = try await connection.query(PostgresQuery("SET LOCAL enable_seqscan = off"))
                    let partial = try await connection.query(PostgresQuery("""
                        SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                        WHERE i.indrelid = 'pg_temp.bookings'::regclass AND i.indpred IS NOT NULL
                        """))
                    let partialNames = Set(try partial.map { try $0.decode(0, as: String.self) })
                    #expect(partialNames.count == 2, "the copy has both partial indexes of holds: \(partialNames)")
                    var read: [String: Set<String>] = [:]
                    for (name, statement) in statements {
                        let rows = try await connection.query(PostgresQuery(
                            "EXPLAIN (FORMAT JSON) " + statement.sql, binds: statement.binds
                        ))
                        let plan = try rows.map { try $0.decode(0, as: String.self) }.joined()
                        read[name] = Set(Self.indexNames(inPlan: plan)).intersection(partialNames)
                    }
                    throw RolledBack(partialIndexes: read)
                }
            } catch let rolledBack as RolledBack {
                return rolledBack.partialIndexes
            }
        }
    }

    /// Every `"Index Name"` of a plan in PostgreSQL's JSON format.
    private static func indexNames(inPlan json: String) -> [String] {
        guard let plans = try? JSONSerialization.jsonObject(with: Data(json.utf8)) else { return [] }
        var names: [String] = []
        func visit(_ node: Any) {
            if let object = node as? [String: Any] {
                if let name = object["Index Name"] as? String { names.append(name) }
                object.values.forEach(visit)
            } else if let array = node as? [Any] {
                array.forEach(visit)
            }
        }
        visit(plans)
        return names
    }

    @Test func lookupsByIdUserOrSeatNeverReadThePartialIndexes() async throws {
        let user = "plan-user"
        let statements: [String: PostgresQuery] = [
            "confirm": PostgresQuery(BookingSQL.confirmHold, binds: [.init(Int64(1)), .init(user)]),
            "held list": PostgresQuery(BookingSQL.bookingsOfUser(.held, paged: false), binds: [.init(user), .init(10)]),
            "expired list": PostgresQuery(BookingSQL.bookingsOfUser(.expired, paged: false), binds: [.init(user), .init(10)]),
            "lapsed in the way": PostgresQuery(BookingSQL.expireLapsedInTheWay, binds: [.init(Int64(1)), .init(user), .init(3)]),
            "expiry batch": PostgresQuery(BookingSQL.expireBatch, binds: [.init(100)]),
        ]
        let read = try await partialIndexesRead(by: statements)
        for name in ["confirm", "held list", "expired list", "lapsed in the way"] {
            #expect(read[name] == [], "\(name) reads \(read[name] ?? [])")
        }
        // The control: a statement whose conditions imply the indexes' predicate is planned over one.
        #expect(read["expiry batch"]?.isEmpty == false, "the expiry batch reads a partial index")
    }
}
