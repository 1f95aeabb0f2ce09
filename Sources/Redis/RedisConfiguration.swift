/// Where Redis is and how long to wait for it.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// For Redis 6 ACL users; nil authenticates as the default user.
    public var username: String?
    /// Sent with AUTH when the connection opens; nil sends no AUTH.
    public var password: String?
    /// Selected when the connection opens, if not 0.
    public var database: Int
    /// Set with CLIENT SETNAME when the connection opens, so `CLIENT LIST` tells our connections apart.
    public var clientName: String?
    public var connectTimeout: Duration
    /// How long one command (or one pipeline) may wait for its reply. When it runs out, the
    /// connection is closed: later replies on it would no longer match their commands.
    public var commandTimeout: Duration
    /// Connections that carry every caller's ``RedisClient/send(_:)``, ``RedisClient/pipeline(_:)``
    /// and ``RedisClient/evaluate(_:keys:arguments:)`` at once.
    public var sharedConnections: Int
    /// Connections lent one caller at a time by ``RedisClient/withConnection(isolation:_:)``, at most.
    public var maximumConnections: Int
    /// How long ``RedisClient/withConnection(isolation:_:)`` waits for a free connection when all are busy.
    public var acquireTimeout: Duration
    /// Nodes of a Redis Cluster to learn its slots from; empty for a standalone server (at
    /// ``host`` and ``port``). With seeds, ``RedisClient`` sends each command to the primary of
    /// its key's slot (``RedisClusterSlot``), follows `MOVED` and `ASK`, and reads the slots
    /// again after a failover; ``sharedConnections`` are then per node.
    public var clusterSeeds: [RedisClusterSlotMap.Node]

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        clientName: String? = nil,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2),
        sharedConnections: Int = 2,
        maximumConnections: Int = 8,
        acquireTimeout: Duration = .seconds(2),
        clusterSeeds: [RedisClusterSlotMap.Node] = []
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.sharedConnections = sharedConnections
        self.maximumConnections = maximumConnections
        self.acquireTimeout = acquireTimeout
        self.clusterSeeds = clusterSeeds
    }

    /// True when ``clusterSeeds`` name a cluster.
    public var isCluster: Bool { !clusterSeeds.isEmpty }
}
