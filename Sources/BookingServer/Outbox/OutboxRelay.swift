import AMQP
import BookingCore
import BookingMessages
import CoreMetrics
import Logging
import Postgres
import ServiceLifecycle

/// Publishes the outbox to RabbitMQ: batches of the oldest rows, locked with
/// `FOR UPDATE SKIP LOCKED` so that every server instance may run a relay, deleted in a
/// transaction that commits only after the broker confirmed every message of the batch
/// (published to the `bookings` exchange with publisher confirms). A row is never lost: a
/// failed publish rolls back and the rows are tried again.
/// A crash between the confirm and the commit publishes that batch again: at least once on the
/// wire, and consumers de-duplicate on the message id. Messages are mandatory: while no queue is
/// bound to the exchange (no worker has ever started), they stay in the outbox.
///
/// Woken right after each commit; a poll every ``pollInterval`` catches anything else.
final class OutboxRelay: Service, Sendable {
    let postgres: PostgresClient
    let amqp: AMQPClient
    let logger: Logger
    let batchSize: Int
    let pollInterval: Duration
    /// A pause after each wake-up, so that the commits of a busy moment go out as one batch
    /// (one transaction and one publish) rather than one each. (25 ms measured no better than
    /// 5 ms in the flash sale: the relay is not where the time goes.)
    let gathering: Duration
    /// Counts messages the broker confirmed (`booking_messages_published_total`).
    let published: Counter?

    private let wakeups = WakeSignal()

    init(
        postgres: PostgresClient, amqp: AMQPClient, logger: Logger,
        batchSize: Int = 200, pollInterval: Duration = .seconds(1),
        gathering: Duration = .milliseconds(5),
        published: Counter? = nil
    ) {
        self.postgres = postgres
        self.amqp = amqp
        self.logger = logger
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.gathering = gathering
        self.published = published
    }

    /// A booking change committed: relay it now rather than at the next poll.
    func wake() { wakeups.signal() }

    func run() async throws {
        await cancelWhenGracefulShutdown { [self] in await relayUntilCancelled() }
    }

    private func relayUntilCancelled() async {
        var failures = 0
        var lastLogged = ""
        let clock = ContinuousClock()
        var failingSince = clock.now
        while !Task.isCancelled {
            do {
                let sent = try await relayBatch()
                if failures > 0 {
                    logger.info("outbox relay recovered", metadata: [
                        "failures": "\(failures)", "seconds": "\((clock.now - failingSince).components.seconds)",
                    ])
                }
                failures = 0
                lastLogged = ""
                if sent == batchSize { continue }
            } catch {
                if Task.isCancelled { return }
                // The broker or the database is away: back off; the rows wait in the outbox.
                failures += 1
                if failures == 1 { failingSince = clock.now }
                // Each different error of a run of failures, and every tenth failure, so that a
                // relay that keeps failing says why (only its first failure used to be logged).
                let description = "\(error)"
                if description != lastLogged || failures % 10 == 0 {
                    logger.warning("outbox relay failed; retrying", metadata: [
                        "error": "\(description)", "failures": "\(failures)",
                        "seconds": "\((clock.now - failingSince).components.seconds)",
                    ])
                    lastLogged = description
                }
                try? await Task.sleep(for: min(pollInterval * failures, .seconds(10)))
                continue
            }
            await wakeups.wait(timeout: pollInterval)
            try? await Task.sleep(for: gathering)
        }
    }

    /// How long a batch waits for the broker's confirms before the connection is dropped and
    /// the batch rolled back, to be published again (on another broker of a cluster).
    static let confirmTimeout = Duration.seconds(10)

    /// Publishes one batch; returns how many rows it sent. Two round trips to PostgreSQL around
    /// the publish: BEGIN with the take, then COMMIT.
    func relayBatch() async throws -> Int {
        let take = PostgresQuery(OutboxSQL.takeBatch, binds: [.init(batchSize)])
        return try await postgres.withConnection { connection in
            try await connection.withTransaction(opening: [take]) { opened in
                let rows = opened[0]
                guard !rows.isEmpty else { return 0 }
                var messages: [AMQPMessage] = []
                messages.reserveCapacity(rows.count)
                for row in rows {
                    messages.append(AMQPMessage(
                        exchange: BookingTopology.exchange.name,
                        routingKey: try row.decode(2),
                        body: Array(try row.decode(3, as: String.self).utf8),
                        properties: AMQPProperties(messageID: try row.decode(1), contentType: MessageTopology.contentType, persistent: true),
                        // A message no queue takes would be confirmed and lost: unroutable, the
                        // batch rolls back and waits in the outbox until a worker binds its queue.
                        mandatory: true
                    ))
                }
                try await amqp.publish(messages, confirmWithin: Self.confirmTimeout)
                // Counted once confirmed; a failed commit after this publishes them again (at least once).
                published?.increment(by: Int64(messages.count))
                return rows.count
            }
        }
    }
}

/// Every committed booking change wakes the relay.
extension OutboxRelay: PostCommitSignal {
    func bookingChangeCommitted() { wake() }
}
