/// The RabbitMQ names of the message contract (docs/api.md, "Messages"), for the relay that
/// publishes and the worker that consumes.
public enum MessageTopology {
    /// Topic exchange, durable, that every booking change is published to.
    public static let exchange = "bookings"
    /// What the notification queue is bound with: every kind of booking message.
    public static let bindingKey = "booking.*"
    /// The worker's queue (configurable, so that tests and side-by-side deployments can have
    /// their own).
    public static let notificationQueue = "booking-notifications"
    /// Every message body is JSON; messages are persistent and their `message_id` is the body's `id`.
    public static let contentType = "application/json"

    /// Where `queue` dead-letters what cannot be handled.
    public static func deadLetterQueue(of queue: String) -> String { queue + ".dlq" }
}
