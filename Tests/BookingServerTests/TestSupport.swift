import AsyncHTTPClient
import BookingCore
import BookingCoreDoubles
import BookingSchema
@testable import BookingServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import Redis
import Synchronization
import Testing

/// The local services `scripts/services` starts. Shared with other suites running in the same
/// process: tests isolate themselves with fresh events and unique user ids, never by flushing.
enum TestEnvironment {
    private static let environment = ProcessInfo.processInfo.environment

    static let databaseURL = environment["TEST_DATABASE_URL"] ?? "postgres://booking:booking@127.0.0.1:54329/booking_test"
    /// Database 1: the seat cache of booking_test's events, apart from the development
    /// server's (database 0), since both number their events from 1.
    static let redisURL = environment["TEST_REDIS_URL"] ?? "redis://127.0.0.1:63790/1"
    /// The Redis Cluster of `scripts/redis-cluster up` (database 0: the event ids of the test
    /// database keep its keys apart).
    static let redisClusterURL = environment["REDIS_CLUSTER_URL"]
        ?? "redis-cluster://127.0.0.1:63801,127.0.0.1:63802,127.0.0.1:63803,127.0.0.1:63804,127.0.0.1:63805,127.0.0.1:63806"
    /// The vhost booking_test: apart from a development worker's queues.
    static let amqpURL = environment["TEST_AMQP_URL"] ?? "amqp://booking:booking@127.0.0.1:56720/booking_test"
    static let adminToken = "test-admin"

    /// Closed ports: connecting fails at once, like a stopped server.
    static let unreachableRedisURL = "redis://127.0.0.1:1/0"
    static let unreachableDatabaseURL = "postgres://booking:booking@127.0.0.1:1/booking_test"

    static func configuration(databaseURL: String = databaseURL, redisURL: String = redisURL) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.databaseURL = databaseURL
        configuration.redisURL = redisURL
        configuration.amqpURL = amqpURL
        configuration.adminToken = adminToken
        // The concurrency tests fire many requests per user; rate limiting is not under test here.
        configuration.rateLimitPerUser = 0
        configuration.databaseConnections = 16
        // A test run starts dozens of servers at once on two cores, where reaching PostgreSQL has
        // taken longer than production's deadlines (a 503 in a test that expected none). The
        // outage tests, which hold the server to its 2-s promise, use production's
        // (`TestServer.Options.productionDeadlines`).
        configuration.databaseConnectTimeout = .seconds(5)
        configuration.databaseAcquireTimeout = .seconds(5)
        // Many test servers run at once: each opens what it uses, not its whole pool.
        configuration.prewarmDatabasePool = false
        configuration.redisConnections = 2
        // The expiry task moves every lapsed hold of the shared test database, other tests'
        // included: off unless a test is about it (a test server's relay would otherwise publish
        // other tests' messages at random moments, past the workers of the pipeline tests).
        configuration.holdExpiryInterval = nil
        return configuration
    }

    static var logger: Logger {
        var logger = Logger(label: "booking-server-tests")
        logger.logLevel = .error
        return logger
    }

    static func uniqueUser(_ prefix: String = "user") -> String {
        "\(prefix)-\(UUID().uuidString.prefix(12).lowercased())"
    }
}

/// The schema of `booking_test`, migrated once per test process (the migrator itself is safe
/// against concurrent runs, which the process tests exercise).
enum TestSchema {
    private static let migration = Task<Void, any Error> {
        let client = PostgresClient(
            configuration: try PostgresConfiguration(url: TestEnvironment.databaseURL), logger: TestEnvironment.logger
        )
        defer { client.close() }
        try await Migrator(client: client, logger: TestEnvironment.logger).migrate()
    }

    static func ensureMigrated() async throws { try await migration.value }
}

// MARK: - Replies

/// A JSON value, decoded strictly: `true` is never a number and `1` never a boolean.
enum JSON: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    subscript(key: String) -> JSON? { object?[key] }

    var object: [String: JSON]? { if case .object(let value) = self { value } else { nil } }
    var array: [JSON]? { if case .array(let value) = self { value } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
    var int: Int64? { if case .int(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    var isNull: Bool { self == .null }
    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

/// One HTTP answer: status, headers and the raw body bytes.
struct Reply: Sendable, CustomStringConvertible {
    let status: Int
    /// Lower-cased names.
    let headers: [String: String]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSON? { try? JSONDecoder().decode(JSON.self, from: Data(body)) }
    var code: String? { json?["code"]?.string }
    var booking: JSON? { json?["booking"] }
    var bookingID: Int64? { booking?["id"]?.int }
    var seat: Int64? { booking?["seat_no"]?.int }
    var description: String { "\(status) \(text.prefix(400))" }
}

// MARK: - Clients

/// The API as a test sees it, whatever carries the requests.
protocol APIClient: Sendable {
    func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: [UInt8]?) async throws -> Reply
}

extension APIClient {
    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(.get, path, headers: headers, body: nil)
    }

    func post(_ path: String, _ body: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(.post, path, headers: headers, body: Array(body.utf8))
    }

    func delete(_ path: String, _ body: String? = nil, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(.delete, path, headers: headers, body: body.map { Array($0.utf8) })
    }

    func reserve(event: Int64, user: String, seat: Int? = nil, key: String? = nil) async throws -> Reply {
        var body = #"{"event_id":\#(event),"user_id":\#(jsonString(user))"#
        if let seat { body += #","seat_no":\#(seat)"# }
        body += "}"
        var headers: HTTPFields = [:]
        if let key { headers[.idempotencyKey] = key }
        return try await post("/api/bookings/reserve", body, headers: headers)
    }

    /// `POST /api/bookings/hold`; `seconds` nil leaves `hold_seconds` out.
    func hold(event: Int64, user: String, seat: Int? = nil, seconds: Int? = nil, key: String? = nil) async throws -> Reply {
        var body = #"{"event_id":\#(event),"user_id":\#(jsonString(user))"#
        if let seat { body += #","seat_no":\#(seat)"# }
        if let seconds { body += #","hold_seconds":\#(seconds)"# }
        body += "}"
        var headers: HTTPFields = [:]
        if let key { headers[.idempotencyKey] = key }
        return try await post("/api/bookings/hold", body, headers: headers)
    }

    func confirm(booking: Int64, user: String) async throws -> Reply {
        try await post("/api/bookings/\(booking)/confirm", #"{"user_id":\#(jsonString(user))}"#)
    }

    func cancel(booking: Int64, user: String) async throws -> Reply {
        try await delete("/api/bookings/\(booking)", #"{"user_id":\#(jsonString(user))}"#)
    }

    /// Creates an event as the admin; records an issue and throws unless the answer is 201.
    func createEvent(seats: Int, name: String = "Test event \(UUID().uuidString.prefix(8))") async throws -> Int64 {
        let reply = try await post(
            "/api/events", #"{"name":\#(jsonString(name)),"total_seats":\#(seats)}"#,
            headers: [.authorization: "Bearer \(TestEnvironment.adminToken)"]
        )
        guard reply.status == 201, let id = reply.json?["event"]?["id"]?.int else {
            Issue.record("creating an event answered \(reply)")
            throw TestFailure("event creation failed: \(reply)")
        }
        return id
    }
}

/// Requests through HummingbirdTesting's client (the router, without a socket, or `.live`).
struct RouterAPI: APIClient {
    let client: any TestClientProtocol

    func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: [UInt8]?) async throws -> Reply {
        let response = try await client.execute(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }
        )
        var fields: [String: String] = [:]
        for field in response.headers { fields[field.name.canonicalName] = field.value }
        return Reply(status: Int(response.status.code), headers: fields, body: Array(buffer: response.body))
    }
}

/// Requests over real HTTP connections, with AsyncHTTPClient.
struct LiveAPI: APIClient {
    let http: HTTPClient
    let baseURL: String

    func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: [UInt8]?) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method.rawValue)
        for field in headers { request.headers.add(name: field.name.rawName, value: field.value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await execute(request)
    }

    func execute(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        var fields: [String: String] = [:]
        for (name, value) in response.headers { fields[name.lowercased()] = value }
        return Reply(status: Int(response.status.code), headers: fields, body: Array(buffer: body))
    }

    /// An HTTP client that keeps up to `connections` connections per host. Shut it down after use.
    static func makeHTTPClient(connections: Int = 64) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Runs `body` with its own HTTP client, shut down afterwards whatever happens.
    static func withHTTPClient<Value: Sendable>(
        connections: Int = 64, _ body: (HTTPClient) async throws -> Value
    ) async throws -> Value {
        let http = makeHTTPClient(connections: connections)
        do {
            let value = try await body(http)
            try await http.shutdown()
            return value
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Servers in this process

/// Builds the server as `buildApplication` does, but from `buildRouter`, so that a store can be
/// pointed at a dead port (no migration against it). The clients run as the application's
/// service and are closed when the test closure returns or throws.
enum TestServer {
    /// What a test may change in the server it gets; the defaults are every other test's server.
    struct Options: Sendable {
        /// Off unless a test is about the limit: the concurrency tests fire many requests per user.
        var rateLimitPerUser = 0
        var rateLimitClock: UserRateLimiter.Clock = UserRateLimiter.monotonicNanoseconds
        var accessLog = false
        /// A test that reads `/metrics` passes its own, so no other test's requests count in it.
        var metrics: ServerMetrics?
        /// The application's logger, which every request's logger derives from.
        var logger: Logger = TestEnvironment.logger
        /// Production's deadlines for reaching PostgreSQL instead of the tests' longer ones.
        var productionDatabaseDeadlines = false
        /// The identity mode's adapter; nil is the trusting mode with the tests' admin token.
        var authenticator: (any Authenticator)?
        /// Production's transport limits (`TransportLimits()`) unless a test shortens them.
        var transport: TransportLimits?

        /// For the tests of the promise to answer 503 within 2 s when PostgreSQL is unreachable.
        static var productionDeadlines: Options { Options(productionDatabaseDeadlines: true) }
    }

    static func withAPI<Value: Sendable>(
        _ setup: TestingSetup = .router,
        databaseURL: String = TestEnvironment.databaseURL,
        redisURL: String = TestEnvironment.redisURL,
        options: Options = Options(),
        _ body: @Sendable @escaping (RouterAPI) async throws -> Value
    ) async throws -> Value {
        try await withApplication(setup, databaseURL: databaseURL, redisURL: redisURL, options: options) { client in
            try await body(RouterAPI(client: client))
        }
    }

    /// A real socket on an ephemeral port, driven by an AsyncHTTPClient with up to 64 connections.
    static func withLiveAPI<Value: Sendable>(
        databaseURL: String = TestEnvironment.databaseURL,
        redisURL: String = TestEnvironment.redisURL,
        options: Options = Options(),
        _ body: @Sendable @escaping (LiveAPI) async throws -> Value
    ) async throws -> Value {
        try await withApplication(.live, databaseURL: databaseURL, redisURL: redisURL, options: options) { client in
            guard let port = client.port else { throw TestFailure("the live test server has no port") }
            return try await LiveAPI.withHTTPClient { http in
                try await body(LiveAPI(http: http, baseURL: "http://127.0.0.1:\(port)"))
            }
        }
    }

    static func withApplication<Value: Sendable>(
        _ setup: TestingSetup,
        databaseURL: String,
        redisURL: String,
        options: Options = Options(),
        _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await TestSchema.ensureMigrated()
        var configuration = TestEnvironment.configuration(databaseURL: databaseURL, redisURL: redisURL)
        configuration.rateLimitPerUser = options.rateLimitPerUser
        configuration.accessLog = options.accessLog
        if options.productionDatabaseDeadlines {
            let production = ServerConfiguration()
            configuration.databaseConnectTimeout = production.databaseConnectTimeout
            configuration.databaseAcquireTimeout = production.databaseAcquireTimeout
        }
        let logger = TestEnvironment.logger
        let clients = try StoreClients(configuration: configuration, logger: logger)
        let metrics = options.metrics ?? ServerMetrics(routes: APIRoutes.templates)
        let router = buildRouter(
            clients: clients, configuration: configuration, logger: logger,
            metrics: metrics, authenticator: options.authenticator,
            rateLimitClock: options.rateLimitClock
        )
        if let transport = options.transport { configuration.transport = transport }
        let app = makeApplication(
            router: router, configuration: configuration, serverName: "BookingServerTests",
            services: [clients], metrics: metrics, logger: options.logger
        )
        do {
            let value = try await app.test(setup, body)
            await clients.close()
            return value
        } catch {
            await clients.close()
            throw error
        }
    }
}

// MARK: - Direct looks at the stores

/// Reads PostgreSQL directly, as the source of truth.
enum TestDatabase {
    struct EventBookings: Sendable, Equatable {
        var count = 0, distinctSeats = 0, distinctUsers = 0, minSeat = 0, maxSeat = 0
    }

    static func withClient<Value>(_ body: (PostgresClient) async throws -> Value) async throws -> Value {
        let client = PostgresClient(configuration: try PostgresConfiguration(
            url: TestEnvironment.databaseURL, pool: .init(maximumConnections: 2, acquireTimeout: .seconds(5))
        ), logger: TestEnvironment.logger)
        do {
            let value = try await body(client)
            client.close()
            return value
        } catch {
            client.close()
            throw error
        }
    }

    static func confirmedBookings(event: Int64, client: PostgresClient) async throws -> EventBookings {
        let rows = try await client.query(PostgresQuery("""
            SELECT count(*), count(DISTINCT seat_no), count(DISTINCT user_id),
                   COALESCE(min(seat_no), 0)::int8, COALESCE(max(seat_no), 0)::int8
            FROM bookings WHERE event_id = $1
            """, binds: [.init(event)]))
        let row = rows[0]
        return EventBookings(
            count: try row.decode(0), distinctSeats: try row.decode(1), distinctUsers: try row.decode(2),
            minSeat: try row.decode(3), maxSeat: try row.decode(4)
        )
    }

    static func confirmedBookings(event: Int64) async throws -> EventBookings {
        try await withClient { try await confirmedBookings(event: event, client: $0) }
    }

    static func confirmedCount(event: Int64, client: PostgresClient) async throws -> Int {
        try await client.query(PostgresQuery("SELECT count(*) FROM bookings WHERE event_id = $1", binds: [.init(event)]))[0]
            .decode(0)
    }

    /// Bookings of any state (confirmed or cancelled) of one user.
    static func bookingsOfUser(_ user: String) async throws -> Int {
        try await withClient { client in
            try await client.query(PostgresQuery("""
                SELECT (SELECT count(*) FROM bookings WHERE user_id = $1)
                     + (SELECT count(*) FROM booking_history WHERE user_id = $1)
                """, binds: [.init(user)]))[0].decode(0)
        }
    }
}

/// Looks at (and, for fault injection, deletes) one event's seat cache keys in the shared Redis.
enum TestSeatCache {
    struct Snapshot: Sendable, Equatable {
        var exists = false
        var free: Int64?
        var takenSeats: Int64 = 0
        var users: Int64 = 0
    }

    static func keys(_ event: Int64) -> (meta: String, seats: String, users: String) {
        ("{evt:\(event)}:meta", "{evt:\(event)}:seats", "{evt:\(event)}:users")
    }

    static func withClient<Value>(url: String = TestEnvironment.redisURL, _ body: (RedisClient) async throws -> Value) async throws -> Value {
        let client = RedisClient(configuration: try RedisConfiguration(url: url), logger: TestEnvironment.logger)
        do {
            let value = try await body(client)
            client.close()
            return value
        } catch {
            client.close()
            throw error
        }
    }

    static func snapshot(_ event: Int64, url: String = TestEnvironment.redisURL) async throws -> Snapshot {
        try await withClient(url: url) { client in
            let keys = keys(event)
            return Snapshot(
                exists: try await client.send("EXISTS", .string(keys.meta)).expectInt() == 1,
                free: try await client.send("HGET", .string(keys.meta), "free").int,
                takenSeats: try await client.send("BITCOUNT", .string(keys.seats)).expectInt(),
                users: try await client.send("HLEN", .string(keys.users)).expectInt()
            )
        }
    }

    /// "Redis flushed", for this event only.
    static func deleteKeys(_ event: Int64, client: RedisClient) async throws {
        let keys = keys(event)
        _ = try await client.send("DEL", .string(keys.meta), .string(keys.seats), .string(keys.users))
    }

    static func userHasLockOrSeat(_ event: Int64, user: String) async throws -> (lock: Bool, booked: Bool) {
        try await withClient { client in
            let lock = try await client.send("EXISTS", .string("{evt:\(event)}:lock:\(user)")).expectInt() == 1
            let booked = try await client.send("HEXISTS", .string(keys(event).users), .string(user)).expectInt() == 1
            return (lock, booked)
        }
    }

    static func seatBit(_ event: Int64, seat: Int) async throws -> Int64 {
        try await withClient { try await $0.send("GETBIT", .string(keys(event).seats), .integer(seat - 1)).expectInt() }
    }
}

// MARK: - Assertions and encodings

/// Words that would betray SQL, a driver error or a stack trace in an answer to a client.
let leakMarkers = ["SELECT", "INSERT", "UPDATE ", "postgres", "ERROR:", "SQLSTATE", "Stack", "stack trace", ".swift:", "Fatal error", "0x0000"]

func expectNoLeak(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) {
    for marker in leakMarkers {
        #expect(!reply.text.contains(marker), "the answer leaks \"\(marker)\": \(reply)", sourceLocation: sourceLocation)
    }
}

/// The failure envelope, exactly: `{"success": false, "code": CODE, "error": "..."}`.
func expectError(_ reply: Reply, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == status, "expected \(status) \(code), got \(reply)", sourceLocation: sourceLocation)
    guard let object = reply.json?.object else {
        Issue.record("the error body is not a JSON object: \(reply)", sourceLocation: sourceLocation)
        return
    }
    #expect(Set(object.keys) == ["success", "code", "error"], "envelope keys: \(reply)", sourceLocation: sourceLocation)
    #expect(object["success"] == .bool(false), "\(reply)", sourceLocation: sourceLocation)
    #expect(object["code"] == .string(code), "expected code \(code), got \(reply)", sourceLocation: sourceLocation)
    #expect((object["error"]?.string?.isEmpty ?? true) == false, "error message missing: \(reply)", sourceLocation: sourceLocation)
    #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true, "content type: \(reply.headers)", sourceLocation: sourceLocation)
    expectNoLeak(reply, sourceLocation: sourceLocation)
}

/// RFC 3339, UTC, `Z`, exactly three fractional digits.
func isAPITimestamp(_ json: JSON?) -> Bool {
    guard let text = json?.string else { return false }
    return text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/#) != nil
}

/// A booking object with every field of docs/api.md, of the right type.
func expectBookingShape(
    _ booking: JSON?, event: Int64, user: String, status: String, listed: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let booking, let object = booking.object else {
        Issue.record("no booking object", sourceLocation: sourceLocation)
        return
    }
    var expectedKeys: Set<String> = ["id", "event_id", "user_id", "seat_no", "status", "created_at", "cancelled_at", "expires_at"]
    if listed { expectedKeys.insert("event_name") }
    #expect(Set(object.keys) == expectedKeys, "booking keys: \(object.keys.sorted())", sourceLocation: sourceLocation)
    #expect((booking["id"]?.int ?? 0) >= 1, sourceLocation: sourceLocation)
    #expect(booking["event_id"]?.int == event, sourceLocation: sourceLocation)
    #expect(booking["user_id"]?.string.map { Array($0.utf8) } == Array(user.utf8), "user_id bytes", sourceLocation: sourceLocation)
    #expect((booking["seat_no"]?.int ?? 0) >= 1, sourceLocation: sourceLocation)
    #expect(booking["status"]?.string == status, sourceLocation: sourceLocation)
    #expect(isAPITimestamp(booking["created_at"]), "created_at: \(String(describing: booking["created_at"]))", sourceLocation: sourceLocation)
    if status == "cancelled" {
        #expect(isAPITimestamp(booking["cancelled_at"]), "cancelled_at: \(String(describing: booking["cancelled_at"]))", sourceLocation: sourceLocation)
    } else {
        #expect(booking["cancelled_at"] == .null, "cancelled_at must be present and null", sourceLocation: sourceLocation)
    }
    // The hold's end while held, the moment it lapsed when expired, else null.
    if status == "held" || status == "expired" {
        #expect(isAPITimestamp(booking["expires_at"]), "expires_at: \(String(describing: booking["expires_at"]))", sourceLocation: sourceLocation)
    } else {
        #expect(booking["expires_at"] == .null, "expires_at must be present and null", sourceLocation: sourceLocation)
    }
    if listed {
        #expect((booking["event_name"]?.string?.isEmpty ?? true) == false, "event_name", sourceLocation: sourceLocation)
    }
}

/// A JSON string literal: quotes, backslashes and C0 controls escaped, everything else raw UTF-8.
func jsonString(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// Percent-encodes everything but ASCII letters, digits and `-._~`.
func percentEncoded(_ value: String) -> String {
    var out = ""
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            out += String(format: "%%%02X", byte)
        }
    }
    return out
}

/// How long `body` took.
func timed<Value>(_ body: () async throws -> Value) async rethrows -> (Value, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    return (value, clock.now - start)
}

/// Requests that HummingbirdTesting's client cannot make.
enum HTTPClientRequestFactory {
    /// A body of `bytes` spaces sent with `Transfer-Encoding: chunked` (no length announced).
    static func chunked(url: String, bytes: Int) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.body = .bytes(Array(repeating: UInt8(ascii: " "), count: bytes) as [UInt8], length: .unknown)
        return request
    }
}

/// A count shared between concurrent tasks of a test.
final class SharedCounter: Sendable {
    private let value = Mutex(0)

    func increment() { value.withLock { $0 += 1 } }
    var current: Int { value.withLock { $0 } }
}

/// A switch one task turns off to stop others.
final class RunningFlag: Sendable {
    private let running = Atomic<Bool>(true)

    func stop() { running.store(false, ordering: .releasing) }
    var isRunning: Bool { running.load(ordering: .acquiring) }
}

/// Keeps the tests that saturate the two cores (races, server processes) and the tests that
/// time an answer from overlapping: a deadline measured during a flash sale measures the sale.
actor ExclusiveSection {
    static let shared = ExclusiveSection()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    static func run<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        await shared.enter()
        do {
            let value = try await body()
            await shared.leave()
            return value
        } catch {
            await shared.leave()
            throw error
        }
    }

    private func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
