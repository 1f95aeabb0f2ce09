import ArgumentParser

/// `BookingServer statement NAME`: prints the text of a statement or script the server runs, as it
/// runs it, for the benchmarks' baselines (`pgbench` and `redis-benchmark` in `scripts/bench`
/// time the product's own text, never a copy of it).
struct StatementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement",
        abstract: "Print a statement (or Lua script) the server runs, for benchmarks.",
        discussion: "NAME: \(Statement.allCases.map(\.rawValue).joined(separator: ", "))."
    )

    enum Statement: String, CaseIterable, ExpressibleByArgument {
        /// One booking and its outbox row ($1 event, $2 user, $3 seat).
        case insertBooking = "insert-booking"
        /// A group of bookings ($1 … $4 arrays of events, users, seats, hold seconds).
        case insertGroup = "insert-group"
        /// The seat cache's allocation (Lua; KEYS and ARGV as `SeatScripts.allocate` says).
        case allocateScript = "allocate-script"

        var text: String {
            switch self {
            case .insertBooking: BookingSQL.insertBooking
            case .insertGroup: BookingSQL.insertGroup
            case .allocateScript: SeatScripts.allocate.source
            }
        }
    }

    @Argument(help: "Which statement.")
    var name: Statement

    func run() throws {
        print(name.text)
    }
}
