/// A queue to declare. `arguments` carries the broker's `x-` options, e.g.
/// `["x-queue-type": "quorum", "x-dead-letter-exchange": "dlx", "x-message-ttl": 60_000]`.
public struct AMQPQueue: Sendable, Hashable {
    public var name: String
    public var durable: Bool
    public var exclusive: Bool
    public var autoDelete: Bool
    public var arguments: [String: AMQPFieldValue]

    public init(
        _ name: String,
        durable: Bool = true,
        exclusive: Bool = false,
        autoDelete: Bool = false,
        arguments: [String: AMQPFieldValue] = [:]
    ) {
        self.name = name
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.arguments = arguments
    }
}

/// What a passive queue declare reports.
public struct AMQPQueueStatus: Sendable, Equatable {
    /// Messages ready for delivery (unacknowledged ones are not counted).
    public var messageCount: UInt32
    public var consumerCount: UInt32
}
