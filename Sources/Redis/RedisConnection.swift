import ConnectionPool
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One connection to Redis. Commands may be sent from several tasks at once: they are written in
/// the order they reach the event loop and answered in that order.
///
/// Usually borrowed from a ``RedisClient``; open one directly with ``connect(configuration:logger:eventLoopGroup:)``.
public final class RedisConnection: PooledConnection {
    /// A process-wide number for logs.
    public let id: Int
    private let channel: any Channel
    private let handler: NIOLoopBound<RedisChannelHandler>
    private let health: ConnectionHealth
    let logger: Logger

    private static let lastID = Atomic<Int>(0)

    private init(id: Int, channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>, health: ConnectionHealth, logger: Logger) {
        self.id = id
        self.channel = channel
        self.handler = handler
        self.health = health
        self.logger = logger
    }

    /// A connection dropped without ``close()`` must not keep its socket open.
    deinit {
        channel.close(promise: nil)
    }

    /// False once the connection closed, timed out or received something it could not parse.
    public var isUsable: Bool { health.isUsable }

    public func close() {
        health.markUnusable()
        channel.close(promise: nil)
    }

    /// Connects on SwiftNIO's shared event loops, then authenticates, selects the database and
    /// names the connection as `configuration` says, in one round trip.
    ///
    /// Throws ``RedisError/Code/connectionFailed`` when the server cannot be reached, or the
    /// server's error when it refuses AUTH or SELECT.
    public static func connect(
        configuration: RedisConfiguration,
        logger: Logger = Logger(label: "redis"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RedisConnection {
        let id = lastID.add(1, ordering: .relaxed).newValue
        var logger = logger
        logger[metadataKey: "redis.connection"] = "\(id)"
        let health = ConnectionHealth()
        let commandTimeout = TimeAmount(configuration.commandTimeout)
        let channelLogger = logger

        let connected: Connected
        do {
            connected = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                // Small request/reply messages: waiting to coalesce them only adds latency.
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = RedisChannelHandler(health: health, commandTimeout: commandTimeout, logger: channelLogger)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return Connected(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                    }
                }
        } catch {
            throw RedisError.connectionFailed(host: configuration.host, port: configuration.port, error)
        }

        let connection = RedisConnection(id: id, channel: connected.channel, handler: connected.handler, health: health, logger: logger)
        do {
            try await connection.prepare(configuration)
        } catch {
            connection.close()
            throw error
        }
        logger.debug("connected to Redis", metadata: [
            "redis.host": "\(configuration.host)", "redis.port": "\(configuration.port)", "redis.db": "\(configuration.database)",
        ])
        return connection
    }

    private func prepare(_ configuration: RedisConfiguration) async throws {
        var commands: [RedisCommand] = []
        if let password = configuration.password {
            if let username = configuration.username {
                commands.append(["AUTH", .string(username), .string(password)])
            } else {
                commands.append(["AUTH", .string(password)])
            }
        }
        if configuration.database != 0 {
            commands.append(["SELECT", .integer(configuration.database)])
        }
        if let name = configuration.clientName {
            commands.append(["CLIENT", "SETNAME", .string(name)])
        }
        for case .error(let error) in try await pipeline(commands) {
            throw error
        }
    }

    // MARK: Commands

    /// Sends one command and returns its reply; an error reply is thrown as ``RedisServerError``.
    public func send(_ command: RedisCommand) async throws -> RedisValue {
        let promise = channel.eventLoop.makePromise(of: RedisValue.self)
        onEventLoop { $0.send(command, promise: promise) }
        let value = try await promise.futureResult.get()
        if case .error(let error) = value { throw error }
        return value
    }

    /// Sends one command given as its arguments: `send("GET", .string(key))`.
    public func send(_ arguments: RedisArgument...) async throws -> RedisValue {
        try await send(RedisCommand(arguments: arguments))
    }

    /// Sends all commands in one write and returns all replies in order. Error replies stay in the
    /// results as ``RedisValue/error(_:)``: one failed command does not hide the others' results.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        let promise = channel.eventLoop.makePromise(of: [RedisValue].self)
        onEventLoop { $0.send(commands, promise: promise) }
        return try await promise.futureResult.get()
    }

    /// Runs `body` with the handler on its event loop: directly when already there, else with one hop.
    private func onEventLoop(_ body: @escaping @Sendable (RedisChannelHandler) -> Void) {
        let handler = self.handler
        if channel.eventLoop.inEventLoop {
            body(handler.value)
        } else {
            channel.eventLoop.execute { body(handler.value) }
        }
    }
}

private struct Connected: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<RedisChannelHandler>
}
