import AMQP
import BookingMessages

/// What the outbox relay publishes to: the contract's exchange.
enum BookingTopology {
    static let exchange = AMQPExchange(MessageTopology.exchange, type: .topic, durable: true)
    static let publisher = AMQPTopology(exchanges: [exchange])
}
