/// A message received by a consumer. Acknowledge it with `ack`, `nack` or `reject` on the
/// connection (or client) that delivered it.
public struct AMQPDelivery: Sendable {
    public var body: [UInt8]
    public var exchange: String
    public var routingKey: String
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var properties: AMQPProperties

    public var messageID: String? { properties.messageID }
    public var contentType: String? { properties.contentType }
    public var headers: [String: AMQPFieldValue] { properties.headers }

    /// The channel instance that delivered it: delivery tags are only meaningful there, and a
    /// channel opened after a reconnect reuses the same tag numbers.
    let channel: ChannelIdentity
}

/// Names one channel instance across every connection of the process.
struct ChannelIdentity: Sendable, Hashable {
    var number: UInt16
    /// Unique per opened channel, never reused.
    var token: UInt64
}
