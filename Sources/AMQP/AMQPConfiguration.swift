/// Where and how to connect: parsed from `amqp://user:pass@host:port/vhost`, or from
/// `amqp://user:pass@host1:port1,host2:port2/vhost` for several brokers of one cluster.
public struct AMQPConfiguration: Sendable, Equatable {
    /// The broker a connection is made to.
    public var host: String
    public var port: Int
    /// Every broker to try, in turn, when connecting and on each reconnect (the nodes of a
    /// cluster); empty means `host` and `port` alone. A client aims a copy of its configuration at
    /// each (``aimed(at:)``).
    public var brokers: [AMQPBroker] = []
    public var username: String
    public var password: String
    public var virtualHost: String
    /// Heartbeat interval proposed to the broker, in seconds; 0 disables heartbeats.
    public var heartbeatSeconds: UInt16
    /// Limit for the TCP connect and for the AMQP handshake.
    public var connectTimeout: Duration
    /// Limit for each synchronous broker call (declare, channel open, qos, consume).
    public var rpcTimeout: Duration
    /// Largest frame size proposed to the broker, in bytes.
    public var frameMax: UInt32
    /// Sent as the client property `connection_name`, so it shows in `rabbitmqctl list_connections`.
    public var connectionName: String

    public init(
        host: String = "127.0.0.1",
        port: Int = 5672,
        username: String = "guest",
        password: String = "guest",
        virtualHost: String = "/",
        heartbeatSeconds: UInt16 = 30,
        connectTimeout: Duration = .seconds(5),
        rpcTimeout: Duration = .seconds(10),
        frameMax: UInt32 = 131_072,
        connectionName: String = "swift-amqp"
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.virtualHost = virtualHost
        self.heartbeatSeconds = heartbeatSeconds
        self.connectTimeout = connectTimeout
        self.rpcTimeout = rpcTimeout
        self.frameMax = frameMax
        self.connectionName = connectionName
    }

    /// Parses `amqp://user:pass@host:port/vhost`, where `host:port` may be a comma-separated list
    /// of brokers (`h1:5672,h2:5672,[::1]:5673`), tried in turn. Missing parts take the AMQP
    /// defaults (guest/guest, port 5672, vhost "/"); an empty path means "/", and the vhost, user
    /// and password are percent-decoded, so `/%2F` is the vhost "/".
    public init(url: String, connectionName: String = "swift-amqp") throws(AMQPError) {
        self.init(connectionName: connectionName)
        let parsed = try AMQPURLParser.parse(url)
        host = parsed.brokers[0].host
        port = parsed.brokers[0].port
        brokers = parsed.brokers.count > 1 ? parsed.brokers : []
        username = parsed.username
        password = parsed.password
        virtualHost = parsed.virtualHost
    }
}

extension AMQPConfiguration {
    /// The brokers in the order a client tries them.
    public var candidates: [AMQPBroker] {
        brokers.isEmpty ? [AMQPBroker(host: host, port: port)] : brokers
    }

    /// This configuration, connecting to `broker`.
    public func aimed(at broker: AMQPBroker) -> AMQPConfiguration {
        var copy = self
        copy.host = broker.host
        copy.port = broker.port
        return copy
    }
}

/// A broker's address.
public struct AMQPBroker: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
