import Logging
import Synchronization

/// One AMQP connection, with its own thread on which every rabbitmq-c call runs; the API is
/// async and never blocks a caller's thread. It does not reconnect: once closed or lost it
/// stays closed (use `AMQPClient` for that).
public final class AMQPConnection: Sendable {
    private let thread: ConnectionThread
    private let status: ConnectionStatus
    private let logger: Logger
    private static let consumerIDs = Atomic<UInt64>(0)

    private init(thread: ConnectionThread, status: ConnectionStatus, logger: Logger) {
        self.thread = thread
        self.status = status
        self.logger = logger
    }

    /// Connects and logs in. Throws `AMQPError` (`.connectFailed`) with the library status or
    /// the broker's reply code.
    public static func connect(
        configuration: AMQPConfiguration,
        logger: Logger = Logger(label: "amqp"),
        onClose: (@Sendable (AMQPError) -> Void)? = nil
    ) async throws -> AMQPConnection {
        var logger = logger
        logger[metadataKey: "amqp.connection"] = "\(configuration.connectionName)"
        let status = ConnectionStatus()
        let thread = ConnectionThread(name: "amqp \(configuration.connectionName)")
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            thread.start(
                open: { [logger] () throws(AMQPError) -> WireConnection in
                    try WireConnection(configuration: configuration, logger: logger) { reason in
                        status.reason.withLock { $0 = reason }
                        onClose?(reason)
                    }
                },
                opened: { result in continuation.resume(with: result) }
            )
        }
        return AMQPConnection(thread: thread, status: status, logger: logger)
    }

    /// False once the connection was closed or lost.
    public var isOpen: Bool { status.reason.withLock { $0 == nil } }

    /// Why the connection ended, if it did.
    public var closeReason: AMQPError? { status.reason.withLock { $0 } }

    /// Declares exchanges, then queues, then bindings. A refused declaration throws
    /// `.channelClosed` with the broker's code (406 PRECONDITION_FAILED for a queue redeclared
    /// with other arguments); the connection stays usable.
    public func declare(_ topology: AMQPTopology) async throws {
        try await run { wire throws(AMQPError) in try wire.declare(topology) }
    }

    /// Message and consumer counts of a queue (a passive declare); 404 if it does not exist.
    public func queueStatus(_ queue: String) async throws -> AMQPQueueStatus {
        try await run { wire throws(AMQPError) in try wire.queueStatus(queue) }
    }

    public func deleteQueue(_ queue: String) async throws {
        try await run { wire throws(AMQPError) in try wire.deleteQueue(queue) }
    }

    public func deleteExchange(_ exchange: String) async throws {
        try await run { wire throws(AMQPError) in try wire.deleteExchange(exchange) }
    }

    /// Returns once the broker confirmed the message (basic.ack); throws `.publishNacked`,
    /// `.unroutable` (mandatory messages), `.channelClosed` (e.g. 404 for a missing exchange) or
    /// `.connectionClosed`. After a throw the broker may or may not have the message: publish
    /// again (delivery is at least once).
    public func publish(_ message: AMQPMessage) async throws {
        try await publish([message])
    }

    /// Publishes all messages back to back, then waits until the broker confirmed every one
    /// (confirms may come with `multiple`); throws if any was refused.
    public func publish(_ messages: [AMQPMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = thread.submit { wire in
                wire.publish(messages) { result in continuation.resume(with: result) }
            }
            if !accepted { continuation.resume(throwing: closedError) }
        }
    }

    /// Drops the connection as if the broker had: everything in flight on it fails with `reason`
    /// (a publish waiting for its confirms included), and the owner's `onClose` runs.
    public func abort(_ reason: AMQPError) {
        _ = thread.submit { wire in wire.fail(reason) }
    }

    /// Starts a consumer with manual acknowledgements and at most `prefetch` unacknowledged
    /// deliveries. Throws `.channelClosed` (404) for a missing queue.
    public func consume(queue: String, prefetch: UInt16) async throws -> AMQPConsumer {
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        let sink = ConsumerSink(
            id: Self.consumerIDs.add(1, ordering: .relaxed).newValue,
            queue: queue, prefetch: prefetch, continuation: continuation, survivesConnectionLoss: false
        )
        continuation.onTermination = { [thread] _ in
            thread.submit { wire in wire.stopConsumer(id: sink.id) }
        }
        try await attach(sink)
        return AMQPConsumer(stream: stream)
    }

    func attach(_ sink: ConsumerSink) async throws {
        try await run { wire throws(AMQPError) in try wire.startConsumer(sink) }
    }

    func detach(consumerID: UInt64) {
        thread.submit { wire in wire.stopConsumer(id: consumerID) }
    }

    /// Acknowledges a delivery. Returns false, sending nothing, when the channel that delivered
    /// it is gone (connection lost or consumer stopped): the broker redelivers it anyway.
    @discardableResult
    public func ack(_ delivery: AMQPDelivery) async -> Bool {
        await settle(delivery, .ack)
    }

    /// Acknowledges a delivery and every earlier one of its consumer not yet settled (basic.ack
    /// with `multiple`): one frame for a run of deliveries handled in order. Only for a consumer
    /// that settles in delivery order, else it would acknowledge deliveries still in hand.
    /// Returns false, sending nothing, when the channel that delivered it is gone.
    @discardableResult
    public func ackThrough(_ delivery: AMQPDelivery) async -> Bool {
        await settle(delivery, .ackThrough)
    }

    /// basic.nack: with `requeue` the message goes back to its queue (and comes again with
    /// `redelivered`), without it to the queue's dead-letter exchange, if any.
    @discardableResult
    public func nack(_ delivery: AMQPDelivery, requeue: Bool) async -> Bool {
        await settle(delivery, .nack(requeue: requeue))
    }

    /// basic.reject: like `nack` for a single message.
    @discardableResult
    public func reject(_ delivery: AMQPDelivery, requeue: Bool) async -> Bool {
        await settle(delivery, .reject(requeue: requeue))
    }

    /// Closes the connection (connection.close): consumers end, publishes still waiting for a
    /// confirm throw `.closed`, unacknowledged deliveries go back to their queues.
    public func close() async {
        _ = try? await run { wire throws(AMQPError) in
            wire.close(reason: AMQPError(.closed, message: "the connection was closed"))
        }
    }

    private func settle(_ delivery: AMQPDelivery, _ settlement: WireConnection.Settlement) async -> Bool {
        (try? await run { wire throws(AMQPError) in wire.settle(delivery, settlement) }) ?? false
    }

    private var closedError: AMQPError {
        closeReason ?? AMQPError(.closed, message: "the connection is closed")
    }

    /// Runs `body` on the connection thread and returns its result.
    private func run<T: Sendable>(_ body: @escaping @Sendable (WireConnection) throws(AMQPError) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = thread.submit { wire in
                continuation.resume(with: Result<T, AMQPError> { () throws(AMQPError) -> T in try body(wire) })
            }
            if !accepted { continuation.resume(throwing: closedError) }
        }
    }
}

/// Written by the connection thread when the connection ends, read by any caller.
final class ConnectionStatus: Sendable {
    let reason = Mutex<AMQPError?>(nil)
}
