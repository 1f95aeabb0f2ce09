/// An exchange to declare.
public struct AMQPExchange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case direct, fanout, topic, headers
    }

    public var name: String
    public var type: Kind
    public var durable: Bool
    public var autoDelete: Bool
    public var arguments: [String: AMQPFieldValue]

    public init(
        _ name: String,
        type: Kind,
        durable: Bool = true,
        autoDelete: Bool = false,
        arguments: [String: AMQPFieldValue] = [:]
    ) {
        self.name = name
        self.type = type
        self.durable = durable
        self.autoDelete = autoDelete
        self.arguments = arguments
    }
}
