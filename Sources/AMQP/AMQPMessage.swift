/// A message to publish.
public struct AMQPMessage: Sendable, Hashable {
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    public var properties: AMQPProperties
    /// Ask the broker to return the message if no queue is bound for it; the publish then throws
    /// `AMQPError.Kind.unroutable` instead of succeeding silently.
    public var mandatory: Bool

    public init(
        exchange: String,
        routingKey: String,
        body: [UInt8],
        properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false
    ) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
        self.mandatory = mandatory
    }
}

/// The basic-class properties this client reads and writes.
public struct AMQPProperties: Sendable, Hashable {
    public var messageID: String?
    public var contentType: String?
    /// delivery_mode 2: the broker writes the message to disk in durable queues.
    public var persistent: Bool
    public var headers: [String: AMQPFieldValue]
    /// Seconds since the Unix epoch.
    public var timestamp: UInt64?

    public init(
        messageID: String? = nil,
        contentType: String? = nil,
        persistent: Bool = false,
        headers: [String: AMQPFieldValue] = [:],
        timestamp: UInt64? = nil
    ) {
        self.messageID = messageID
        self.contentType = contentType
        self.persistent = persistent
        self.headers = headers
        self.timestamp = timestamp
    }
}
