import BookingCore
import BookingCoreDoubles
import BookingSchema
import Foundation
import Logging
import Postgres
import Redis
import Testing

@testable import BookingServer

/// The two implementations every port's contract suite runs on: the in-memory double that unit
/// tests use, and the adapter that production uses, on the real server.
enum Implementation: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory = "in-memory double"
    case real = "real adapter"

    var testDescription: String { rawValue }
}

/// The real servers, as `scripts/services` runs them for the tests.
enum RealServers {
    private static let environment = ProcessInfo.processInfo.environment
    static let databaseURL = environment["TEST_DATABASE_URL"] ?? "postgres://booking:booking@127.0.0.1:54329/booking_test"
    /// Database 1, the tests' seat cache; the suites use event ids far above any real event's.
    static let redisURL = environment["TEST_REDIS_URL"] ?? "redis://127.0.0.1:63790/1"

    static var logger: Logger {
        var logger = Logger(label: "port-contract-tests")
        logger.logLevel = .error
        return logger
    }

    private static let migration = Task<Void, any Error> {
        let client = PostgresClient(configuration: try PostgresConfiguration(url: databaseURL), logger: logger)
        defer { client.close() }
        try await Migrator(client: client, logger: logger).migrate()
    }

    /// A migrated database's client, closed when `body` returns.
    static func withPostgres<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        try await migration.value
        let client = PostgresClient(configuration: try PostgresConfiguration(url: databaseURL), logger: logger)
        defer { client.close() }
        return try await body(client)
    }

    static func withRedis<T>(_ body: (RedisClient) async throws -> T) async throws -> T {
        let client = RedisClient(configuration: try RedisConfiguration(url: redisURL), logger: logger)
        defer { client.close() }
        return try await body(client)
    }
}

extension Implementation {
    /// A ``BookingStore`` of this kind: a fresh double, or PostgreSQL's adapter on the migrated test database.
    func withBookingStore(_ body: (any BookingStore) async throws -> Void) async throws {
        switch self {
        case .inMemory: try await body(InMemoryBookingStore())
        case .real: try await RealServers.withPostgres { try await body(PostgresBookingStore(client: $0)) }
        }
    }

    /// A ``SeatCache`` of this kind and an event id no other test uses (its keys deleted afterwards).
    func withSeatCache(_ body: (any SeatCache, Int64) async throws -> Void) async throws {
        switch self {
        case .inMemory:
            try await body(InMemorySeatCache(), Unique.eventID())
        case .real:
            try await RealServers.withRedis { client in
                let eventID = Unique.eventID()
                let cache = RedisSeatCache(client: client)
                try await body(cache, eventID)
                try await cache.invalidate(eventID: eventID)
            }
        }
    }
}

/// The booking rules' answer `body` ended with, nil when it succeeded; any other error is recorded.
func outcome(_ body: () async throws -> Booking) async -> ReservationError? {
    do {
        _ = try await body()
        return nil
    } catch let error as ReservationError {
        return error
    } catch {
        Issue.record("not an answer of the booking rules: \(error)")
        return nil
    }
}

/// Ids no other test and no real row uses.
enum Unique {
    static func user(_ prefix: String = "contract") -> String { "\(prefix)-\(UUID().uuidString)" }
    /// Far above the ids PostgreSQL hands out, so a cached event of another test is never touched.
    static func eventID() -> Int64 { Int64.random(in: (1 << 50)...(1 << 52)) }
}
