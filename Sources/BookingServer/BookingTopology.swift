import AMQP

/// The RabbitMQ names of API.md's "Messages": what the outbox relay publishes to.
enum BookingTopology {
    static let exchange = AMQPExchange("bookings", type: .topic, durable: true)
    static let publisher = AMQPTopology(exchanges: [exchange])
}
