import AMQP
import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Postgres
import Synchronization
import Testing

@testable import BookingServer
@testable import QueueWorker

/// A QueueWorker in this process, consuming a queue of the test's own (bound to `bookings` in
/// the tests' vhost), with short webhook waits.
struct TestWorker {
    let worker: Worker
    let configuration: WorkerConfiguration

    var statistics: WorkerStatistics { worker.consumer.statistics }
    var queue: String { configuration.topology.queue }
    var deadLetterQueue: String { configuration.topology.deadLetterQueue }

    static func with<Value: Sendable>(
        webhookURL: String? = nil, webhookSecret: String? = nil, maxAttempts: Int = 3, concurrency: Int = 4,
        unixTime: @escaping @Sendable () -> Int64 = WebhookSigner.systemTime,
        _ body: (TestWorker) async throws -> Value
    ) async throws -> Value {
        try await TestSchema.ensureMigrated()
        var configuration = WorkerConfiguration()
        configuration.databaseURL = TestEnvironment.databaseURL
        configuration.amqpURL = TestEnvironment.amqpURL
        configuration.webhookURL = webhookURL
        configuration.webhookSecret = webhookSecret
        configuration.webhookMaxAttempts = maxAttempts
        configuration.webhookInitialBackoff = .milliseconds(10)
        configuration.webhookMaximumBackoff = .milliseconds(40)
        configuration.concurrency = concurrency
        configuration.topology.queue = TestQueues.uniqueName()
        let worker = try await Worker.build(configuration: configuration, logger: TestEnvironment.logger, unixTime: unixTime)
        let group = worker.serviceGroup(logger: TestEnvironment.logger, signals: [])
        let running = Task { try await group.run() }
        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await running.value
            try await TestQueues.delete(configuration.topology)
        }
        do {
            try await TestQueues.waitForConsumer(on: configuration.topology.queue)
            let value = try await body(TestWorker(worker: worker, configuration: configuration))
            try await stop()
            return value
        } catch {
            try? await stop()
            throw error
        }
    }
}

/// The worker's queues in the tests' vhost, looked at and cleaned up over a connection of the
/// test's own.
enum TestQueues {
    static func uniqueName() -> String { "worker-tests.\(UUID().uuidString.prefix(8).lowercased())" }

    static func withConnection<Value>(_ body: (AMQPConnection) async throws -> Value) async throws -> Value {
        let connection = try await AMQPConnection.connect(
            configuration: try AMQPConfiguration(url: TestEnvironment.amqpURL, connectionName: "pipeline-tests"),
            logger: TestEnvironment.logger
        )
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    static func declare(_ topology: NotificationTopology) async throws {
        try await withConnection { try await $0.declare(topology.declarations) }
    }

    static func delete(_ topology: NotificationTopology) async throws {
        try await withConnection { connection in
            try await connection.deleteQueue(topology.queue)
            try await connection.deleteQueue(topology.deadLetterQueue)
        }
    }

    static func status(_ queue: String) async throws -> AMQPQueueStatus {
        try await withConnection { try await $0.queueStatus(queue) }
    }

    static func waitForConsumer(on queue: String, within limit: Duration = .seconds(20)) async throws {
        try await eventually(within: limit, "a consumer on \(queue)") {
            (try? await status(queue))?.consumerCount ?? 0 > 0
        }
    }

    /// Publishes a body to `bookings` as the relay would (persistent, JSON, confirmed).
    static func publish(_ body: [UInt8], routingKey: String = "booking.confirmed", messageID: String? = nil) async throws {
        try await withConnection { connection in
            try await connection.publish(AMQPMessage(
                exchange: BookingTopology.exchange.name, routingKey: routingKey, body: body,
                properties: AMQPProperties(messageID: messageID, contentType: "application/json", persistent: true)
            ))
        }
    }

    /// Takes (and acks) `count` messages from the dead-letter queue, waiting up to 20 s.
    static func deadLetters(_ queue: String, count: Int) async throws -> [AMQPDelivery] {
        try await withConnection { connection in
            let consumer = try await connection.consume(queue: queue, prefetch: 50)
            let taken = try await withThrowingTaskGroup(of: [AMQPDelivery].self) { group in
                group.addTask {
                    var taken: [AMQPDelivery] = []
                    for try await delivery in consumer {
                        _ = await connection.ack(delivery)
                        taken.append(delivery)
                        if taken.count == count { break }
                    }
                    return taken
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    return []
                }
                let first = try await group.next() ?? []
                group.cancelAll()
                return first
            }
            return taken
        }
    }
}

/// What the worker recorded, read from PostgreSQL.
enum Notifications {
    struct Row: Sendable, Equatable {
        let messageID: String
        let type: String
        let bookingID: Int64
        let webhook: String
    }

    /// The event's notifications in the order the worker recorded them.
    static func of(event: Int64) async throws -> [Row] {
        try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(
                "SELECT message_id::text, type, booking_id, webhook FROM notifications WHERE event_id = $1 ORDER BY seq",
                binds: [.init(event)]
            )).map { Row(messageID: try $0.decode(0), type: try $0.decode(1), bookingID: try $0.decode(2), webhook: try $0.decode(3)) }
        }
    }

    /// Waits (up to `limit`) until the event has `count` notifications, then `settle` longer so
    /// that one too many has had time to come; returns them.
    static func wait(event: Int64, count: Int, within limit: Duration = .seconds(30), settle: Duration = .milliseconds(300)) async throws -> [Row] {
        try await eventually(within: limit, "\(count) notifications of event \(event)") {
            (try? await of(event: event).count) ?? 0 >= count
        }
        try await Task.sleep(for: settle)
        return try await of(event: event)
    }

    /// The webhook attempts of one message: (HTTP status, error) in order.
    static func attempts(of messageID: String) async throws -> [Int?] {
        try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(
                "SELECT http_status FROM notification_attempts WHERE message_id = $1::uuid ORDER BY attempt",
                binds: [.init(messageID)]
            )).map { try $0.decode(0, as: Int?.self) }
        }
    }

    static func webhookState(of messageID: String) async throws -> String? {
        try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(
                "SELECT webhook FROM notifications WHERE message_id = $1::uuid", binds: [.init(messageID)]
            )).first.map { try $0.decode(0) }
        }
    }

    /// Unsent outbox rows that announce bookings of `event`.
    static func unsentOutboxRows(event: Int64) async throws -> Int {
        try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(
                "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND (payload -> 'booking' ->> 'event_id')::int8 = $1",
                binds: [.init(event)]
            ))[0].decode(0, as: Int.self)
        }
    }
}

/// A message as the relay would publish it, for an event id no real test event has.
struct SyntheticMessage {
    let id = UUID().uuidString.lowercased()
    let event = Int64.random(in: 1_000_000_000...9_000_000_000)
    let booking = Int64.random(in: 1_000_000_000...9_000_000_000)

    var body: [UInt8] {
        Array(#"""
            {"id": "\#(id)", "type": "booking.confirmed", "occurred_at": "2026-11-23T10:00:00.123Z",
             "booking": {"id": \#(booking), "event_id": \#(event), "user_id": "synthetic", "seat_no": 1,
             "status": "confirmed", "created_at": "2026-11-23T10:00:00.123Z", "cancelled_at": null}}
            """#.utf8)
    }

    func publish() async throws {
        try await TestQueues.publish(body, messageID: id)
    }
}

/// A local webhook receiver: answers each message id's first, second, … POST with the statuses
/// given (the last one repeats), and keeps what it received. With a `secret` it checks each POST's
/// `X-Signature` itself, as docs/api.md tells receivers to (its own HMAC of `"<t>.<body>"` over the
/// bytes received, compared in constant time, and `t` within 5 minutes of its clock), and answers
/// `401` to one that fails, whatever the statuses say. `tamperWithFirstPost` alters one byte of
/// each message's first body on arrival, before the check, as a man in the middle would.
final class WebhookReceiver: Sendable {
    /// One POST as received.
    struct Post: Sendable, Equatable {
        let messageID: String
        let signature: String?
        /// The signature's `t`, when it has one.
        let time: Int64?
        let verdict: Verdict
    }

    enum Verdict: Sendable, Equatable {
        /// No secret: nothing checked.
        case unchecked
        case genuine
        case refused(String)
    }

    let statuses: [Int]
    let secret: String?
    let tamperWithFirstPost: Bool
    private let received = Mutex<[String: Int]>([:])
    private let log = Mutex<[Post]>([])

    init(statuses: [Int], secret: String? = nil, tamperWithFirstPost: Bool = false) {
        self.statuses = statuses
        self.secret = secret
        self.tamperWithFirstPost = tamperWithFirstPost
    }

    func posts(of messageID: String) -> Int { received.withLock { $0[messageID] ?? 0 } }

    /// Every POST of `messageID`, in the order received.
    func postsReceived(of messageID: String) -> [Post] { log.withLock { $0.filter { $0.messageID == messageID } } }

    static func with<Value: Sendable>(
        statuses: [Int], secret: String? = nil, tamperWithFirstPost: Bool = false,
        _ body: @Sendable @escaping (WebhookReceiver, String) async throws -> Value
    ) async throws -> Value {
        let receiver = WebhookReceiver(statuses: statuses, secret: secret, tamperWithFirstPost: tamperWithFirstPost)
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let id = request.headers[HTTPField.Name("X-Message-Id")!] ?? "-"
            let signature = request.headers[HTTPField.Name("X-Signature")!]
            var bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            let count = receiver.received.withLock { received -> Int in
                received[id, default: 0] += 1
                return received[id]!
            }
            var verdict = Verdict.unchecked
            if let secret = receiver.secret {
                if receiver.tamperWithFirstPost, count == 1, !bytes.isEmpty {
                    bytes[bytes.count / 2] ^= 0x01
                }
                verdict = verify(signature, body: bytes, secret: secret, now: Int64(Date().timeIntervalSince1970))
            }
            receiver.log.withLock {
                $0.append(Post(messageID: id, signature: signature, time: signature.flatMap(signedTime), verdict: verdict))
            }
            if case .refused = verdict { return Response(status: .unauthorized) }
            let status = receiver.statuses[min(count, receiver.statuses.count) - 1]
            return Response(status: .init(code: status))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            guard let port = client.port else { throw TestFailure("the webhook receiver has no port") }
            return try await body(receiver, "http://127.0.0.1:\(port)/hook")
        }
    }

    /// A receiver's check of `X-Signature: t=<unix seconds>,v1=<hex>`, written from docs/api.md
    /// with swift-crypto's HMAC and nothing of the worker's.
    static func verify(_ header: String?, body: [UInt8], secret: String, now: Int64) -> Verdict {
        guard let header else { return .refused("no X-Signature") }
        var fields: [Substring: Substring] = [:]
        for field in header.split(separator: ",") {
            guard let equals = field.firstIndex(of: "=") else { return .refused("malformed X-Signature") }
            fields[field[..<equals]] = field[field.index(after: equals)...]
        }
        guard let timeText = fields["t"], let time = Int64(timeText), let hex = fields["v1"], let mac = lowerCaseHexBytes(hex), mac.count == 32
        else { return .refused("malformed X-Signature") }
        guard (now - 300...now + 300).contains(time) else { return .refused("stale t") }
        let signed = Array("\(timeText).".utf8) + body
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: SymmetricKey(data: Array(secret.utf8))) else {
            return .refused("wrong HMAC")
        }
        return .genuine
    }

    private static func signedTime(_ header: String) -> Int64? {
        header.split(separator: ",").first { $0.hasPrefix("t=") }.flatMap { Int64($0.dropFirst(2)) }
    }

    private static func lowerCaseHexBytes(_ hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

extension TestServer {
    /// The whole server as `BookingServer` builds it, outbox relay included, on a real socket.
    static func withRelayingLiveAPI<Value: Sendable>(
        _ body: @Sendable @escaping (LiveAPI) async throws -> Value
    ) async throws -> Value {
        try await TestSchema.ensureMigrated()
        let app = try await buildApplication(configuration: TestEnvironment.configuration(), logger: TestEnvironment.logger)
        return try await app.test(.live) { client in
            guard let port = client.port else { throw TestFailure("the live test server has no port") }
            return try await LiveAPI.withHTTPClient { http in
                try await body(LiveAPI(http: http, baseURL: "http://127.0.0.1:\(port)"))
            }
        }
    }
}

/// The local broker's application stopped and started again (`rabbitmqctl stop_app` /
/// `start_app`): the node stays, its listeners close, every connection drops.
enum LocalBroker {
    static func stopApp() throws { try rabbitmqctl("stop_app") }
    static func startApp() throws { try rabbitmqctl("start_app") }

    /// Deliveries of `queue` (in the tests' vhost) that a consumer holds unacknowledged.
    static func unacknowledged(queue: String) throws -> Int {
        let vhost = URLComponents(string: TestEnvironment.amqpURL)?.path.dropFirst().removingPercentEncoding ?? "/"
        let output = try rabbitmqctl("list_queues", "-p", vhost.isEmpty ? "/" : vhost, "name", "messages_unacknowledged")
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, fields[0] == queue, let count = Int(fields[1]) { return count }
        }
        throw TestFailure("queue \(queue) not in rabbitmqctl's list: \(output)")
    }

    @discardableResult
    private static func rabbitmqctl(_ arguments: String...) throws -> String {
        let script = ChildProcess.binaries.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/services")
        let process = Process()
        process.executableURL = script
        process.arguments = ["rabbitmqctl", "-q"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("rabbitmqctl \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Polls `condition` every 20 ms until it holds; throws after `limit`.
func eventually(
    within limit: Duration, _ what: String, _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("no \(what) within \(limit)")
}
