import AMQP

/// The worker's RabbitMQ names (API.md, "Messages"): exchange `bookings`, queue
/// `booking-notifications` bound to `booking.*`, and its dead-letter queue. The queue names are
/// configurable so that tests and side-by-side deployments can run workers of their own.
struct NotificationTopology: Sendable, Equatable {
    enum QueueType: String, Sendable {
        case classic
        /// Replicated (Raft): the choice for a RabbitMQ cluster.
        case quorum
    }

    static let exchange = AMQPExchange("bookings", type: .topic, durable: true)
    static let bindingKey = "booking.*"

    var queue = "booking-notifications"
    var queueType = QueueType.classic

    var deadLetterQueue: String { queue + ".dlq" }

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
            bindings: [AMQPBinding(queue: queue, exchange: Self.exchange.name, routingKey: Self.bindingKey)]
        )
    }
}
