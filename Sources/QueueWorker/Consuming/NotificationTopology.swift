import AMQP
import BookingMessages

/// The worker's declarations of the contract's names (``MessageTopology``): the exchange, the
/// queue bound to every booking message, and its dead-letter queue. The queue name is
/// configurable so that tests and side-by-side deployments can run workers of their own.
struct NotificationTopology: Sendable, Equatable {
    enum QueueType: String, Sendable {
        case classic
        /// Replicated (Raft): the choice for a RabbitMQ cluster.
        case quorum
    }

    static let exchange = AMQPExchange(MessageTopology.exchange, type: .topic, durable: true)

    var queue = MessageTopology.notificationQueue
    var queueType = QueueType.classic

    var deadLetterQueue: String { MessageTopology.deadLetterQueue(of: queue) }

    /// Declared on every (re)connect. The queue dead-letters what is rejected to the DLQ through
    /// the default exchange, a backstop for the worker's own dead-lettering, which adds the reason.
    var declarations: AMQPTopology {
        let type: [String: AMQPFieldValue] = ["x-queue-type": .string(queueType.rawValue)]
        return AMQPTopology(
            exchanges: [Self.exchange],
            queues: [
                AMQPQueue(deadLetterQueue, durable: true, arguments: type),
                AMQPQueue(queue, durable: true, arguments: type.merging([
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": .string(deadLetterQueue),
                ]) { $1 }),
            ],
            bindings: [AMQPBinding(queue: queue, exchange: Self.exchange.name, routingKey: MessageTopology.bindingKey)]
        )
    }
}
