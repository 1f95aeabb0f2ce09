/// Where a consumer's deliveries go: the continuation of the `AMQPConsumer` stream.
final class ConsumerSink: Sendable {
    let id: UInt64
    let queue: String
    let prefetch: UInt16
    let continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation
    /// Owned by an `AMQPClient`, which attaches it to the next connection after a reconnect;
    /// a bare `AMQPConnection` ends the stream when the connection ends.
    let survivesConnectionLoss: Bool

    init(
        id: UInt64,
        queue: String,
        prefetch: UInt16,
        continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation,
        survivesConnectionLoss: Bool
    ) {
        self.id = id
        self.queue = queue
        self.prefetch = prefetch
        self.continuation = continuation
        self.survivesConnectionLoss = survivesConnectionLoss
    }

    func connectionEnded(_ error: AMQPError) {
        guard !survivesConnectionLoss else { return }
        if error.kind == .closed {
            continuation.finish()
        } else {
            continuation.finish(throwing: error)
        }
    }

    func finish(throwing error: AMQPError) {
        continuation.finish(throwing: error)
    }
}

/// A consumer's channel on one connection (thread-confined, part of `WireConnection`).
struct ConsumerChannel {
    var identity: ChannelIdentity
    var sink: ConsumerSink
    var consumerTag: String
}
