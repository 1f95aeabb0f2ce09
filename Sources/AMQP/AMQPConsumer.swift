/// The deliveries of one consumer, in order. Ends when the consumer is stopped (the iterating
/// task is cancelled, or the connection/client is closed) and throws when the broker ends it
/// (queue deleted, channel error) or, for a bare `AMQPConnection`, when the connection is lost.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    public typealias Failure = any Error

    let stream: AsyncThrowingStream<AMQPDelivery, any Error>

    public func makeAsyncIterator() -> AsyncThrowingStream<AMQPDelivery, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }
}
