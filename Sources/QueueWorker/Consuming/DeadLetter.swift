import AMQP

/// The copy of a delivery that goes to the dead-letter queue: the same body and properties, with
/// headers that say why and where it came from.
enum DeadLetter {
    static let reasonHeader = "x-dead-letter-reason"

    static func message(for delivery: AMQPDelivery, reason: String, queue: String) -> AMQPMessage {
        var properties = delivery.properties
        properties.persistent = true
        properties.headers[reasonHeader] = .string(String(reason.prefix(1_000)))
        properties.headers["x-original-exchange"] = .string(delivery.exchange)
        properties.headers["x-original-routing-key"] = .string(delivery.routingKey)
        // Straight to the queue through the default exchange; mandatory, so that a missing queue
        // is an error rather than a silent drop.
        return AMQPMessage(exchange: "", routingKey: queue, body: delivery.body, properties: properties, mandatory: true)
    }
}
