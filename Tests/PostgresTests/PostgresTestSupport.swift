import ConnectionPool
import Foundation
import Postgres

enum TestDatabase {
    /// The database `scripts/services` creates for tests.
    static let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"]
        ?? "postgres://booking:booking@127.0.0.1:54329/booking_test"

    static func client(maximumConnections: Int = 4, acquireTimeout: Duration = .seconds(5)) throws -> PostgresClient {
        PostgresClient(configuration: try PostgresConfiguration(
            url: url,
            pool: .init(maximumConnections: maximumConnections, acquireTimeout: acquireTimeout)
        ))
    }

    /// A table name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }
}
