import ConnectionPool
import Logging

/// The entry point for the application: Redis connections, safe to share.
///
/// ``send(_:)``, ``pipeline(_:)`` and ``evaluate(_:keys:arguments:)`` go out on a few connections
/// that all callers share at once (``RedisConfiguration/sharedConnections``): commands that
/// arrive together leave in one write and their replies come back in one read. Commands that
/// must have a connection to themselves (MULTI/EXEC, WATCH, blocking pops) borrow one from a
/// pool with ``withConnection(isolation:_:)``.
///
/// With ``RedisConfiguration/clusterSeeds`` (a `redis-cluster://` URL) the client talks to a Redis
/// Cluster: each command goes to the primary of its key's slot, on shared connections per node
/// (see ``RedisClusterRouter`` for redirects and failover). ``withConnection(isolation:_:)`` is
/// then unavailable: the commands it is for need one node, which only their keys can name.
///
/// A connection that broke (closed by the server, `CLIENT KILL`, a restart, a timeout) is never
/// used again; the next call opens a new one. Besides ``RedisError`` and ``RedisServerError``,
/// calls throw `ConnectionPoolError` when no pooled connection becomes free within the acquire
/// timeout, or after ``close()``.
public final class RedisClient: Sendable {
    public typealias Statistics = ConnectionPool<RedisConnection>.Statistics

    public let configuration: RedisConfiguration
    private let pool: ConnectionPool<RedisConnection>
    private let shared: SharedConnections
    private let cluster: RedisClusterRouter?

    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "redis")) {
        self.configuration = configuration
        let connect: @Sendable () async throws -> RedisConnection = {
            try await RedisConnection.connect(configuration: configuration, logger: logger)
        }
        self.pool = ConnectionPool(
            configuration: ConnectionPoolConfiguration(
                maximumConnections: configuration.maximumConnections,
                acquireTimeout: configuration.acquireTimeout
            ),
            factory: connect
        )
        self.shared = SharedConnections(count: configuration.sharedConnections, factory: connect)
        self.cluster = configuration.isCluster ? RedisClusterRouter(configuration: configuration, logger: logger) : nil
    }

    /// Sends one command on a shared connection; an error reply is thrown as ``RedisServerError``.
    public func send(_ command: RedisCommand) async throws -> RedisValue {
        if let cluster {
            return try await cluster.run(.command(command), slot: try RedisCommandKeys.slot(of: command))
        }
        return try await withFreshConnectionRetry { try await $0.send(command) }
    }

    /// Sends one command given as its arguments: `send("GET", .string(key))`.
    public func send(_ arguments: RedisArgument...) async throws -> RedisValue {
        try await send(RedisCommand(arguments: arguments))
    }

    /// Sends the commands in one write on one connection; error replies stay in the results.
    /// In a cluster, one write per node, the nodes at once: the commands of one node keep their
    /// order.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        if let cluster { return try await cluster.pipeline(commands) }
        return try await withFreshConnectionRetry { try await $0.pipeline(commands) }
    }

    /// Runs a Lua script with EVALSHA, loading it first if the server does not have it.
    public func evaluate(
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        arguments: [RedisArgument] = []
    ) async throws -> RedisValue {
        if let cluster {
            let slot = try RedisCommandKeys.slot(ofKeys: keys[...], in: "the script")
            return try await cluster.run(.script(script, keys: keys, arguments: arguments), slot: slot)
        }
        return try await withFreshConnectionRetry { try await $0.evaluate(script, keys: keys, arguments: arguments) }
    }

    /// Lends one connection to `body`, for commands that must share a connection (MULTI/EXEC,
    /// WATCH). Errors are ``ConnectionPoolError`` when none is free in time.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RedisConnection) async throws -> Result
    ) async throws -> Result {
        if cluster != nil {
            throw RedisError(.invalidCommand, "withConnection is not available on a Redis Cluster: send commands by their keys")
        }
        return try await pool.withConnection(isolation: isolation, body)
    }

    /// Round-trip time of a PING, including the wait for a connection: what a caller sees.
    public func ping() async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        let reply = try await send("PING")
        let elapsed = clock.now - start
        guard reply == .status("PONG") else { throw RedisError.unexpectedReply(expected: "PONG", actual: reply) }
        return elapsed
    }

    /// Closes the shared connections (failing commands in flight), idle pooled ones now and lent
    /// ones when they come back; later calls fail.
    public func close() {
        cluster?.close()
        shared.close()
        pool.close()
    }

    /// The pool of ``withConnection(isolation:_:)``.
    public var statistics: Statistics { pool.statistics }
    /// Shared connections open or being opened (of every node, in a cluster).
    public var sharedOpen: Int { cluster?.open ?? shared.open }
    /// Redirects followed and slot maps read; nil for a standalone server.
    public var clusterStatistics: RedisClusterStatistics? { cluster?.statistics }
    /// The cluster's slots as last read or learned from a `MOVED`; nil for a standalone server or
    /// before the first command.
    public var clusterSlotMap: RedisClusterSlotMap? { cluster?.slotMap }

    /// Reads the cluster's slot map again (what a `MOVED` does in the background). Does nothing
    /// for a standalone server.
    public func refreshClusterSlots() async throws {
        _ = try await cluster?.refreshed()
    }
    public var acquireStatistics: AcquireStatistics { pool.acquireStatistics }

    /// A shared connection can be found closed only when the command reaches it (the server closed
    /// it a moment before). Such a command was never written, so it is safe to send again, once,
    /// on a fresh connection. A command already written when the connection closes is not retried:
    /// the server may have run it.
    private func withFreshConnectionRetry<Result: Sendable>(
        _ body: (RedisConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await body(try await shared.connection())
        } catch let error as RedisError where error.wasNotSent {
            return try await body(try await shared.connection())
        }
    }
}
