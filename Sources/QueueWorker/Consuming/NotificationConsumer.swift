import AMQP
import BookingMessages
import ConnectionPool
import Logging
import ServiceLifecycle

/// Consumes the notification queue with a bounded prefetch and manual acknowledgements.
///
/// Deliveries are spread over `lanes` sequential workers by booking id: the messages of one
/// booking (confirmed, then cancelled) are handled in order, while a webhook that is slow or
/// retrying holds up only its own lane. Without a webhook, a lane records whatever has piled up
/// (up to ``batchLimit``) in one statement: one commit for many messages when busy. A delivery is acknowledged only after its effect is
/// committed (or after it is safely in the dead-letter queue); a crash before that leaves it to
/// be delivered again, and the ledger makes the second time a no-op.
///
/// On graceful shutdown the consumer stops taking deliveries, each lane finishes the message in
/// hand (a wait between webhook attempts is cut short), and the rest are left unacknowledged for
/// the broker to deliver again.
final class NotificationConsumer: Service, Sendable {
    let amqp: AMQPClient
    let topology: NotificationTopology
    let handler: NotificationHandler
    let prefetch: UInt16
    let lanes: Int
    let logger: Logger

    var statistics: WorkerStatistics { handler.statistics }

    init(
        amqp: AMQPClient, topology: NotificationTopology, handler: NotificationHandler,
        prefetch: UInt16, lanes: Int, logger: Logger
    ) {
        self.amqp = amqp
        self.topology = topology
        self.handler = handler
        self.prefetch = prefetch
        self.lanes = max(1, lanes)
        self.logger = logger
    }

    /// A delivery and what parsing made of it.
    private struct Work: Sendable {
        let delivery: AMQPDelivery
        let message: Result<BookingMessage, MalformedMessage>
    }

    func run() async throws {
        guard let consumer = try await startConsuming() else { return }
        logger.info("consuming", metadata: [
            "queue": "\(topology.queue)", "prefetch": "\(prefetch)", "lanes": "\(lanes)",
        ])
        let queues = (0..<lanes).map { _ in LaneQueue<Work>() }
        // Unstructured, so that stopping is ordered by hand: on graceful shutdown the lanes
        // finish what they hold while the channel stays open for their acks; only then does the
        // subscription end, and the broker takes back what was never started.
        let lanes = queues.map { queue in Task { await self.runLane(queue) } }
        let dispatcher = Task { [self] in
            for try await delivery in consumer {
                if Task.isShuttingDownGracefully { continue }
                let work = Work(delivery: delivery, message: Self.parse(delivery))
                queues[lane(of: work)].push(work)
            }
        }
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = await dispatcher.result }
                group.addTask { try? await gracefulShutdown() }
                await group.next()
                for queue in queues { queue.finish() }
                for lane in lanes { await lane.value }
                dispatcher.cancel()
                group.cancelAll()
            }
        } onCancel: {
            // Not a graceful stop: nothing is finished, everything is left to redelivery.
            dispatcher.cancel()
            for queue in queues { queue.finish() }
            for lane in lanes { lane.cancel() }
        }
        logger.info("consumer stopped", metadata: ["consumed": "\(statistics[.consumed])"])
        if case .failure(let error) = await dispatcher.result, !(error is CancellationError) {
            logger.error("the consumer ended", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// Subscribes once a connection is up (the client keeps reconnecting in the background);
    /// nil when the worker is stopped first.
    private func startConsuming() async throws -> AMQPConsumer? {
        var waits = 0
        while !Task.isShuttingDownGracefully {
            do {
                return try await amqp.consume(queue: topology.queue, prefetch: prefetch)
            } catch let error as AMQPError where error.kind == .notConnected || error.kind == .connectionClosed {
                waits += 1
                if waits == 1 { logger.warning("waiting for RabbitMQ", metadata: ["error": "\(error)"]) }
            }
        }
        return nil
    }

    private static func parse(_ delivery: AMQPDelivery) -> Result<BookingMessage, MalformedMessage> {
        do throws(MalformedMessage) {
            return .success(try BookingMessage(body: delivery.body, messageID: delivery.messageID, routingKey: delivery.routingKey))
        } catch {
            return .failure(error)
        }
    }

    private func lane(of work: Work) -> Int {
        switch work.message {
        case .success(let message): Int(message.bookingID % Int64(lanes))
        case .failure: Int(work.delivery.deliveryTag % UInt64(lanes))
        }
    }

    /// Most messages one statement records, when the lane has that many waiting.
    static let batchLimit = 100

    private func runLane(_ queue: LaneQueue<Work>) async {
        // With a webhook, one message at a time: each may take several posts and waits.
        let limit = handler.webhook == nil ? Self.batchLimit : 1
        while let batch = await queue.next(limit: limit) {
            // What is still queued here stays unacknowledged: the broker delivers it again.
            if Task.isShuttingDownGracefully { return }
            if batch.count == 1 {
                await process(batch[0])
            } else {
                await process(batch)
            }
        }
    }

    /// Handles a batch to the end: malformed deliveries one by one, the messages together, in
    /// order. A batch the database refuses is handled one message at a time instead, so that
    /// only the offending message is dead-lettered.
    private func process(_ batch: [Work]) async {
        var valid: [(work: Work, message: BookingMessage)] = []
        for work in batch {
            switch work.message {
            case .success(let message): valid.append((work, message))
            case .failure: await process(work)
            }
        }
        guard !valid.isEmpty else { return }
        var refused = false
        await untilDone(["messages": "\(valid.count)"]) {
            do {
                let dispositions = try await handler.handle(valid.map(\.message))
                if lanes == 1, let last = valid.last, let outcomes = Self.acknowledgements(dispositions) {
                    // One lane settles in delivery order, so one multiple-ack frame settles the
                    // whole batch (and the malformed ones before it were settled already).
                    await amqp.ackThrough(last.work.delivery)
                    for outcome in outcomes { statistics.count(Self.event(of: outcome)) }
                    statistics.count(.consumed, by: outcomes.count)
                    valid.removeAll()
                    return
                }
                for ((work, message), disposition) in zip(valid, dispositions) {
                    try await settle(work.delivery, disposition, messageID: message.id)
                    // Settled: never again, even if a later one fails and the rest is retried.
                    valid.removeFirst()
                }
            } catch is PermanentLedgerError {
                refused = true
            }
        }
        if refused {
            for (work, _) in valid { await process(work) }
        }
    }

    private static func event(of outcome: Disposition.Outcome) -> WorkerStatistics.Event {
        switch outcome {
        case .recorded: .recorded
        case .duplicate: .duplicate
        case .delivered: .delivered
        }
    }

    /// The outcomes when every disposition is an acknowledgement; nil if one is not.
    private static func acknowledgements(_ dispositions: [Disposition]) -> [Disposition.Outcome]? {
        var outcomes: [Disposition.Outcome] = []
        outcomes.reserveCapacity(dispositions.count)
        for disposition in dispositions {
            guard case .acknowledge(let outcome) = disposition else { return nil }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Handles one delivery to the end.
    private func process(_ work: Work) async {
        await untilDone(["message_id": "\(work.delivery.messageID ?? "-")"]) {
            try await settle(work.delivery, try await disposition(of: work), messageID: try? work.message.get().id)
        }
    }

    /// Runs `attempt` until it succeeds, waiting with backoff after each failure while the
    /// database or the broker is away; gives up only when the worker stops, leaving the
    /// deliveries unacknowledged for redelivery.
    private func untilDone(_ context: Logger.Metadata, _ attempt: () async throws -> Void) async {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        while true {
            do {
                try await attempt()
                return
            } catch is CancellationError {
                return
            } catch {
                if Task.isShuttingDownGracefully { return }
                statistics.count(.transientFailure)
                if backoff.attempt == 0 || backoff.attempt % 10 == 0 {
                    logger.warning("handling failed; retrying", metadata: context.merging([
                        "error": "\(error)", "failures": "\(backoff.attempt + 1)",
                    ]) { $1 })
                }
                do {
                    try await handler.pause(backoff.nextDelay())
                } catch {
                    return
                }
            }
        }
    }

    private func disposition(of work: Work) async throws -> Disposition {
        switch work.message {
        case .failure(let malformed):
            return .deadLetter(reason: malformed.description)
        case .success(let message):
            do {
                return try await handler.handle(message)
            } catch let error as PermanentLedgerError {
                return .deadLetter(reason: error.reason)
            }
        }
    }

    private func settle(_ delivery: AMQPDelivery, _ disposition: Disposition, messageID: String?) async throws {
        switch disposition {
        case .acknowledge(let outcome):
            statistics.count(Self.event(of: outcome))
        case .deadLetter(let reason):
            // Into the dead-letter queue first (confirmed), then marked: a crash in between puts a
            // second copy there, never none.
            try await amqp.publish(DeadLetter.message(for: delivery, reason: reason, queue: topology.deadLetterQueue))
            if let messageID { try await handler.ledger.markDeadLettered(messageID) }
            statistics.count(.deadLettered)
            logger.warning("message dead-lettered", metadata: [
                "message_id": "\(delivery.messageID ?? "-")", "reason": "\(reason)",
            ])
        }
        // False when the delivery came on a connection that has since dropped: the broker then
        // delivers it again and the ledger recognises it.
        await amqp.ack(delivery)
        statistics.count(.consumed)
    }
}
