import ConnectionPool
import Logging
import Synchronization

/// A connection that heals itself: when the broker restarts or closes the connection, it
/// reconnects with exponential backoff, declares its topology again and resumes its consumers.
/// With several brokers (the nodes of a cluster, ``AMQPConfiguration/brokers``) it tries them in
/// turn, from the one it was last connected to, and backs off only once all have failed.
///
/// Deliveries not yet acknowledged when a connection drops are redelivered by the broker (with
/// `redelivered` set) to the resumed consumer; acking the stale copy is a no-op that returns
/// false. A publish waits up to `connectionWaitTimeout` for a connection, then throws
/// `.notConnected`; a publish in flight when the connection drops throws `.connectionClosed`
/// and should be retried (at least once).
public actor AMQPClient {
    public let configuration: AMQPConfiguration
    public let topology: AMQPTopology
    /// How long publish, consume and declare wait for a connection; zero fails at once.
    public let connectionWaitTimeout: Duration
    private var backoff: Backoff
    private let logger: Logger

    private var connection: AMQPConnection?
    private var connecting: Task<Void, Never>?
    /// The index, in the configuration's brokers, of the one to try first.
    private var nextBroker = 0
    private var closed = false
    private var waiters: [UInt64: CheckedContinuation<AMQPConnection, any Error>] = [:]
    private var nextWaiterID: UInt64 = 0
    private var consumers: [UInt64: ConsumerSink] = [:]
    /// Which connection each consumer is attached to, so none is attached twice or forgotten.
    private var attachedTo: [UInt64: ObjectIdentifier] = [:]
    private static let consumerIDs = Atomic<UInt64>(1 << 32)

    public init(
        configuration: AMQPConfiguration,
        topology: AMQPTopology = AMQPTopology(),
        backoff: Backoff = Backoff(),
        connectionWaitTimeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "amqp.client")
    ) {
        self.configuration = configuration
        self.topology = topology
        self.backoff = backoff
        self.connectionWaitTimeout = connectionWaitTimeout
        self.logger = logger
    }

    /// Starts connecting in the background (the first publish or consume also does).
    public func start() {
        startConnecting()
    }

    /// True while a connection is up.
    public var isConnected: Bool { connection?.isOpen ?? false }

    public func publish(_ message: AMQPMessage) async throws {
        try await publish([message])
    }

    /// See `AMQPConnection.publish(_:)`.
    public func publish(_ messages: [AMQPMessage]) async throws {
        try await currentConnection().publish(messages)
    }

    /// Like `publish(_:)`, but when the broker has not confirmed every message within
    /// `timeout`, drops the connection (this client then connects again, to the next broker of a
    /// cluster) and throws `.connectionClosed`: publish again. A chaos run met a publish whose
    /// confirms never came after the RabbitMQ node that led the queue was killed.
    ///
    /// A nack drops the connection too (and is thrown as it is): after the node leading a quorum
    /// queue was killed, a channel on another node nacked every publish for minutes (delivery
    /// tags in the thousands, two clean clones' chaos runs), while the queue had a new leader.
    public func publish(_ messages: [AMQPMessage], confirmWithin timeout: Duration) async throws {
        let connection = try await currentConnection()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            connection.abort(AMQPError(.connectionClosed, message: "no publisher confirm within \(timeout); the connection was dropped"))
        }
        defer { watchdog.cancel() }
        do {
            try await connection.publish(messages)
        } catch let error as AMQPError where error.kind == .publishNacked {
            connection.abort(AMQPError(.connectionClosed, message: "the broker nacked a publish; the connection was dropped"))
            throw error
        }
    }

    /// Declares more topology on the current connection (not re-declared after a reconnect;
    /// pass it to `init` for that).
    public func declare(_ topology: AMQPTopology) async throws {
        try await currentConnection().declare(topology)
    }

    public func queueStatus(_ queue: String) async throws -> AMQPQueueStatus {
        try await currentConnection().queueStatus(queue)
    }

    public func deleteQueue(_ queue: String) async throws {
        try await currentConnection().deleteQueue(queue)
    }

    public func deleteExchange(_ exchange: String) async throws {
        try await currentConnection().deleteExchange(exchange)
    }

    /// A consumer that survives reconnects: it is started again on every new connection.
    public func consume(queue: String, prefetch: UInt16) async throws -> AMQPConsumer {
        let connection = try await currentConnection()
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        let sink = ConsumerSink(
            id: Self.consumerIDs.add(1, ordering: .relaxed).newValue,
            queue: queue, prefetch: prefetch, continuation: continuation, survivesConnectionLoss: true
        )
        continuation.onTermination = { [weak self] _ in
            Task { await self?.forget(consumerID: sink.id) }
        }
        try await connection.attach(sink)
        consumers[sink.id] = sink
        attachedTo[sink.id] = ObjectIdentifier(connection)
        // A reconnect may have happened while attaching.
        if let current = self.connection, current !== connection { await attachMissingConsumers(to: current) }
        return AMQPConsumer(stream: stream)
    }

    @discardableResult
    public func ack(_ delivery: AMQPDelivery) async -> Bool {
        await connection?.ack(delivery) ?? false
    }

    /// ``AMQPConnection/ackThrough(_:)``: this delivery and every earlier unsettled one.
    @discardableResult
    public func ackThrough(_ delivery: AMQPDelivery) async -> Bool {
        await connection?.ackThrough(delivery) ?? false
    }

    @discardableResult
    public func nack(_ delivery: AMQPDelivery, requeue: Bool) async -> Bool {
        await connection?.nack(delivery, requeue: requeue) ?? false
    }

    @discardableResult
    public func reject(_ delivery: AMQPDelivery, requeue: Bool) async -> Bool {
        await connection?.reject(delivery, requeue: requeue) ?? false
    }

    /// Stops reconnecting, ends every consumer and closes the connection.
    public func close() async {
        closed = true
        connecting?.cancel()
        let error = AMQPError(.closed, message: "the client was closed")
        for waiter in waiters.values { waiter.resume(throwing: error) }
        waiters.removeAll()
        for sink in consumers.values { sink.continuation.finish() }
        consumers.removeAll()
        attachedTo.removeAll()
        let connection = self.connection
        self.connection = nil
        await connection?.close()
    }

    // MARK: Connecting

    private func currentConnection() async throws -> AMQPConnection {
        if let connection, connection.isOpen { return connection }
        guard !closed else { throw AMQPError(.closed, message: "the client was closed") }
        startConnecting()
        guard connectionWaitTimeout > .zero else {
            throw AMQPError(.notConnected, message: "not connected to \(brokerList)")
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let timeout = connectionWaitTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.waiterTimedOut(id)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { waiters[id] = $0 }
    }

    private func waiterTimedOut(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume(throwing: AMQPError(
            .notConnected,
            message: "no connection to \(brokerList) within \(connectionWaitTimeout)"
        ))
    }

    private func startConnecting() {
        guard !closed, connecting == nil, !(connection?.isOpen ?? false) else { return }
        connecting = Task { await connectUntilConnected() }
    }

    /// The brokers, for messages.
    private var brokerList: String { configuration.candidates.map(\.description).joined(separator: ", ") }

    /// Tries the brokers in turn, starting with the one of the last connection, and waits (the
    /// backoff) only once each has failed in this round.
    private func connectUntilConnected() async {
        defer { connecting = nil }
        let brokers = configuration.candidates
        var failedThisRound = 0
        while !closed && !Task.isCancelled {
            var candidate: AMQPConnection?
            let broker = brokers[nextBroker % brokers.count]
            do {
                let connection = try await AMQPConnection.connect(
                    configuration: configuration.aimed(at: broker), logger: logger,
                    onClose: { [weak self] reason in Task { await self?.connectionEnded(reason) } }
                )
                candidate = connection
                if !topology.isEmpty { try await connection.declare(topology) }
                guard !closed else {
                    await connection.close()
                    return
                }
                self.connection = connection
                backoff.reset()
                for waiter in waiters.values { waiter.resume(returning: connection) }
                waiters.removeAll()
                await attachMissingConsumers(to: connection)
                return
            } catch {
                await candidate?.close()
                nextBroker = (nextBroker + 1) % brokers.count
                failedThisRound += 1
                if failedThisRound < brokers.count {
                    logger.warning("amqp connect failed; trying the next broker", metadata: [
                        "amqp.error": "\(error)", "amqp.broker": "\(broker)",
                    ])
                    continue
                }
                failedThisRound = 0
                let delay = backoff.nextDelay()
                logger.warning("amqp connect failed; retrying", metadata: [
                    "amqp.error": "\(error)", "amqp.broker": "\(broker)", "amqp.retry_in": "\(delay)",
                    "amqp.attempt": "\(backoff.attempt)",
                ])
                try? await Task.sleep(for: delay)
            }
        }
    }

    private func attachMissingConsumers(to connection: AMQPConnection) async {
        for sink in consumers.values.sorted(by: { $0.id < $1.id }) where attachedTo[sink.id] != ObjectIdentifier(connection) {
            do {
                try await connection.attach(sink)
                attachedTo[sink.id] = ObjectIdentifier(connection)
            } catch let error as AMQPError where error.kind == .channelClosed {
                // The queue is gone or refused us: this consumer cannot resume, others can.
                logger.error("amqp consumer could not resume", metadata: ["amqp.queue": "\(sink.queue)", "amqp.error": "\(error)"])
                consumers[sink.id] = nil
                attachedTo[sink.id] = nil
                sink.finish(throwing: error)
            } catch {
                return  // The connection died meanwhile; the next one attaches the rest.
            }
        }
    }

    private func connectionEnded(_ reason: AMQPError) {
        guard let connection, !connection.isOpen else { return }
        self.connection = nil
        guard !closed else { return }
        logger.warning("amqp connection lost; reconnecting", metadata: ["amqp.error": "\(reason)"])
        startConnecting()
    }

    private func forget(consumerID: UInt64) {
        guard consumers.removeValue(forKey: consumerID) != nil else { return }
        attachedTo[consumerID] = nil
        connection?.detach(consumerID: consumerID)
    }
}
