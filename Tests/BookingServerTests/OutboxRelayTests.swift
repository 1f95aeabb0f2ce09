import AMQP
import CoreMetrics
import Foundation
import Postgres
import Synchronization
import Testing

@testable import BookingServer
import Telemetry

/// The outbox relay against the real PostgreSQL and RabbitMQ. Each test reads a queue of its own
/// bound to the `bookings` exchange, and runs inside the exclusive section so that no other
/// relay (a server process of another test) drains its rows meanwhile.
@Suite("Outbox relay")
struct OutboxRelayTests {
    @Test func reserveThenCancelArePublishedInOrderEachOnceAndMarkedSent() async throws {
        try await ExclusiveSection.run {
            try await BookingQueue.with { queue in
                let user = TestEnvironment.uniqueUser("relay")
                let bookingID = try await TestServer.withAPI { api in
                    let event = try await api.createEvent(seats: 5)
                    let reserved = try await api.reserve(event: event, user: user)
                    #expect(reserved.status == 201, "\(reserved)")
                    let id = try #require(reserved.bookingID)
                    let cancelled = try await api.cancel(booking: id, user: user)
                    #expect(cancelled.status == 200, "\(cancelled)")
                    return id
                }
                try await Relays.drain(count: 1)

                let messages = try await queue.messages(count: 2) { $0.bookingID == bookingID }
                #expect(messages.map(\.type) == ["booking.confirmed", "booking.cancelled"])
                #expect(messages.map(\.routingKey) == ["booking.confirmed", "booking.cancelled"])
                for message in messages {
                    #expect(message.messageID == message.id, "AMQP message_id equals the body's id")
                    #expect(message.contentType == "application/json")
                    #expect(message.userID == user)
                }
                let later = try await queue.messages(count: 2, settle: .milliseconds(300)) { $0.bookingID == bookingID }
                #expect(later.count == 2, "no message twice")
                #expect(try await Relays.unsentRows(of: bookingID) == 0)
            }
        }
    }

    @Test func rowsWaitWhileTheBrokerIsAwayAndAreSentOnceItAnswers() async throws {
        try await ExclusiveSection.run {
            try await BookingQueue.with { queue in
                let user = TestEnvironment.uniqueUser("away")
                let bookingIDs = try await TestServer.withAPI { api in
                    let event = try await api.createEvent(seats: 20)
                    var ids: [Int64] = []
                    for index in 0..<20 {
                        let reply = try await api.reserve(event: event, user: "\(user)-\(index)")
                        ids.append(try #require(reply.bookingID, "\(reply)"))
                    }
                    return ids
                }
                // A relay whose broker does not answer publishes nothing and marks nothing sent.
                let away = try Relays.make(amqpURL: "amqp://booking:booking@127.0.0.1:1/%2F")
                await #expect(throws: (any Error).self) { _ = try await away.relay.relayBatch() }
                await away.clients.close()
                for id in bookingIDs { #expect(try await Relays.unsentRows(of: id) == 1) }

                try await Relays.drain(count: 1)
                let messages = try await queue.messages(count: 20) { bookingIDs.contains($0.bookingID ?? 0) }
                #expect(Set(messages.compactMap(\.bookingID)) == Set(bookingIDs))
                for id in bookingIDs { #expect(try await Relays.unsentRows(of: id) == 0) }
            }
        }
    }

    @Test func twoRelaysAtOncePublishEveryRowOnce() async throws {
        try await ExclusiveSection.run {
            try await BookingQueue.with { queue in
                let user = TestEnvironment.uniqueUser("pair")
                let bookingIDs = try await TestServer.withAPI { api in
                    let event = try await api.createEvent(seats: 300)
                    return try await withThrowingTaskGroup(of: Int64.self) { group in
                        for index in 0..<300 {
                            group.addTask {
                                let reply = try await api.reserve(event: event, user: "\(user)-\(index)")
                                return try #require(reply.bookingID, "\(reply)")
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
                try await Relays.drain(count: 2, batchSize: 25)
                let wanted = Set(bookingIDs)
                let messages = try await queue.messages(count: 300, settle: .milliseconds(500)) {
                    wanted.contains($0.bookingID ?? 0)
                }
                #expect(messages.count == 300, "each row published once, none twice")
                #expect(Set(messages.compactMap(\.bookingID)) == wanted)
            }
        }
    }

    @Test func publishedMessagesAreCountedOnceConfirmed() async throws {
        try await ExclusiveSection.run { try await BookingQueue.with { _ in
            let user = TestEnvironment.uniqueUser("counted")
            try await TestServer.withAPI { api in
                let event = try await api.createEvent(seats: 2)
                #expect(try await api.reserve(event: event, user: user).status == 201)
            }
            let metrics = ServerMetrics(routes: [])
            let (relay, clients) = try Relays.make(published: metrics.messagesPublished)
            var sent = 0
            do {
                while case let batch = try await relay.relayBatch(), batch > 0 { sent += batch }
            } catch {
                await clients.close()
                throw error
            }
            await clients.close()
            #expect(sent >= 1, "at least this test's booking was waiting")
            let text = PrometheusText(String(decoding: await metrics.exporter.exposition(), as: UTF8.self))
            #expect(text.value("booking_messages_published_total") == Double(sent))
        } }
    }

    @Test func withNoQueueBoundRowsStayInTheOutbox() async throws {
        try await ExclusiveSection.run {
            let user = TestEnvironment.uniqueUser("unbound")
            let bookingID = try await TestServer.withAPI { api in
                let event = try await api.createEvent(seats: 2)
                return try #require(try await api.reserve(event: event, user: user).bookingID)
            }
            // No queue of any test is bound now: the broker would drop the message.
            let (relay, clients) = try Relays.make()
            await #expect(throws: AMQPError.self) { _ = try await relay.relayBatch() }
            await clients.close()
            #expect(try await Relays.unsentRows(of: bookingID) == 1, "kept for a later relay")
        }
    }
}

/// Relays built for a test, on the test database.
enum Relays {
    static func make(
        amqpURL: String = TestEnvironment.amqpURL, batchSize: Int = 200, published: CoreMetrics.Counter? = nil
    ) throws -> (relay: OutboxRelay, clients: StoreClients) {
        var configuration = TestEnvironment.configuration()
        configuration.amqpURL = amqpURL
        let clients = try StoreClients(configuration: configuration, logger: TestEnvironment.logger)
        let relay = OutboxRelay(
            postgres: clients.postgres, amqp: clients.amqp, logger: TestEnvironment.logger, batchSize: batchSize,
            published: published
        )
        return (relay, clients)
    }

    /// Runs `count` relays at once until the outbox holds no unsent row.
    static func drain(count: Int, batchSize: Int = 200) async throws {
        let relays = try (0..<count).map { _ in try make(batchSize: batchSize) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (relay, _) in relays {
                    group.addTask { while try await relay.relayBatch() > 0 {} }
                }
                try await group.waitForAll()
            }
        } catch {
            for (_, clients) in relays { await clients.close() }
            throw error
        }
        for (_, clients) in relays { await clients.close() }
    }

    /// Unsent outbox rows that announce booking `id`.
    static func unsentRows(of id: Int64) async throws -> Int {
        try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(
                "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND (payload -> 'booking' ->> 'id')::int8 = $1",
                binds: [.init(id)]
            ))[0].decode(0, as: Int.self)
        }
    }
}

/// A queue of one test's own, bound to `bookings` with `booking.*`; every delivery is acked
/// and kept, in arrival order, for the test to look through.
struct BookingQueue: Sendable {
    let received: Received

    struct Message: Sendable {
        let routingKey: String
        let messageID: String?
        let contentType: String?
        let json: JSON?

        var id: String? { json?["id"]?.string }
        var type: String? { json?["type"]?.string }
        var bookingID: Int64? { json?["booking"]?["id"]?.int }
        var userID: String? { json?["booking"]?["user_id"]?.string }
    }

    final class Received: Sendable {
        let messages = Mutex<[Message]>([])
    }

    /// Bound before anything is relayed (relayed messages are mandatory); whatever other tests
    /// left in the outbox arrives too, and tests pick their own messages by booking id.
    static func with<Value: Sendable>(_ body: (BookingQueue) async throws -> Value) async throws -> Value {
        let connection = try await AMQPConnection.connect(
            configuration: try AMQPConfiguration(url: TestEnvironment.amqpURL, connectionName: "relay-tests"),
            logger: TestEnvironment.logger
        )
        let name = "relay-tests.\(UUID().uuidString.prefix(8))"
        let received = Received()
        var collector: Task<Void, any Error>?
        do {
            try await connection.declare(AMQPTopology(
                exchanges: [BookingTopology.exchange],
                queues: [AMQPQueue(name, durable: false, exclusive: false, autoDelete: true)],
                bindings: [AMQPBinding(queue: name, exchange: BookingTopology.exchange.name, routingKey: "booking.*")]
            ))
            let consumer = try await connection.consume(queue: name, prefetch: 500)
            collector = Task {
                for try await delivery in consumer {
                    _ = await connection.ack(delivery)
                    let message = Message(
                        routingKey: delivery.routingKey, messageID: delivery.messageID, contentType: delivery.contentType,
                        json: try? JSONDecoder().decode(JSON.self, from: Data(delivery.body))
                    )
                    received.messages.withLock { $0.append(message) }
                }
            }
            let value = try await body(BookingQueue(received: received))
            collector?.cancel()
            await connection.close()
            return value
        } catch {
            collector?.cancel()
            await connection.close()
            throw error
        }
    }

    /// The received messages that match, in arrival order: waits (10 s at most) until `count`
    /// have come, then `settle` longer, so that one that should not come has had time to.
    func messages(
        count: Int, settle: Duration = .zero, matching: (Message) -> Bool
    ) async throws -> [Message] {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline, received.messages.withLock({ $0.filter(matching).count }) < count {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: settle)
        return received.messages.withLock { $0.filter(matching) }
    }
}
