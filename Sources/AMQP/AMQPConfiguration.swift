/// Where and how to connect: parsed from `amqp://user:pass@host:port/vhost`.
public struct AMQPConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
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

    /// Parses `amqp://user:pass@host:port/vhost`. Missing parts take the AMQP defaults
    /// (guest/guest, port 5672, vhost "/"); an empty path means "/", and the vhost, user and
    /// password are percent-decoded, so `/%2F` is the vhost "/".
    public init(url: String, connectionName: String = "swift-amqp") throws(AMQPError) {
        self.init(connectionName: connectionName)
        let parsed = try AMQPURLParser.parse(url)
        host = parsed.host
        port = parsed.port
        username = parsed.username
        password = parsed.password
        virtualHost = parsed.virtualHost
    }
}
