import ConnectionPool
import Redis
import Testing

/// Failures and recovery: pool limits, killed connections, timeouts, unreachable servers.
@Suite struct RedisConnectionLifecycleTests {
    @Test func pingReportsLatency() async throws {
        try await TestRedis.withClient { redis, _ in
            let latency = try await redis.ping()
            #expect(latency > .zero)
            // A round trip's duration, not a clock reading or a unit error (a timeout would have
            // thrown); loose, because a loaded machine stretches any round trip.
            #expect(latency < .seconds(10))
        }
    }

    @Test func exhaustedPoolGivesAcquireTimeout() async throws {
        try await TestRedis.withClient({ $0.maximumConnections = 1; $0.acquireTimeout = .milliseconds(200) }) { redis, _ in
            let (held, holding) = AsyncStream.makeStream(of: Void.self)
            let (release, releasing) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await redis.withConnection { connection in
                    _ = try await connection.send("PING")
                    holding.yield()
                    for await _ in release { break }
                }
            }
            for await _ in held { break }

            let clock = ContinuousClock()
            let start = clock.now
            let error = try await #require(throws: ConnectionPoolError.self) {
                try await redis.withConnection { try await $0.send("PING") }
            }
            #expect(error.code == .acquireTimeout)
            // The shared connections do not depend on the pool.
            #expect(try await redis.send("PING") == .status("PONG"))
            // The pool's 200 ms deadline ended the wait (the code above says so), not a later
            // one; loose, because a loaded machine stretches it (1.02 s seen beside a build).
            #expect(clock.now - start < .seconds(10))

            releasing.yield()
            try await holder.value
            #expect(try await redis.send("PING") == .status("PONG"))
        }
    }

    @Test func nextCallWorksAfterThePooledConnectionIsKilled() async throws {
        let name = "redis-tests-kill-\(UInt64.random(in: 0...UInt64.max))"
        try await TestRedis.withClient({ $0.maximumConnections = 1; $0.clientName = name }) { redis, _ in
            let (pooled, victim) = try await redis.withConnection { ($0, try await $0.send("CLIENT", "ID").expectInt()) }
            let clientList = try await redis.send("CLIENT", "LIST", "ID", .integer(Int(victim))).expectString()
            #expect(clientList.contains("name=\(name)"))

            try await kill(victim)
            // The connection learns of the kill by itself, from the server's close, with no command
            // sent. (A command written in the very instant of the close fails instead, and is not
            // retried since it might have run.)
            try await waitUntil { !pooled.isUsable }

            let replacement = try await redis.withConnection { try await $0.send("CLIENT", "ID").expectInt() }
            #expect(replacement != victim)
            #expect(redis.statistics.open == 1)
        }
    }

    @Test func nextCallWorksAfterTheSharedConnectionIsKilled() async throws {
        try await TestRedis.withClient({ $0.sharedConnections = 1 }) { redis, _ in
            let victim = try await redis.send("CLIENT", "ID").expectInt()
            #expect(redis.sharedOpen == 1)

            try await kill(victim)
            try await waitUntil { redis.sharedOpen == 0 }

            #expect(try await redis.send("PING") == .status("PONG"))
            let replacement = try await redis.send("CLIENT", "ID").expectInt()
            #expect(replacement != victim)
            #expect(redis.sharedOpen == 1)
        }
    }

    @Test func callsAfterCloseAreRefused() async throws {
        let redis = RedisClient(configuration: try TestRedis.configuration())
        #expect(try await redis.send("PING") == .status("PONG"))
        redis.close()
        let error = try await #require(throws: ConnectionPoolError.self) { try await redis.send("PING") }
        #expect(error.code == .poolClosed)
        #expect(redis.sharedOpen == 0)
    }

    private func kill(_ id: Int64) async throws {
        let killer = try await RedisConnection.connect(configuration: try TestRedis.configuration())
        defer { killer.close() }
        #expect(try await killer.send("CLIENT", "KILL", "ID", .integer(Int(id))) == .integer(1))
    }

    /// Polls `condition` every 5 ms for 2 s at most, then expects it to hold.
    private func waitUntil(_ condition: () -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(2)
        while !condition(), clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition())
    }

    @Test func commandInFlightFailsWhenItsConnectionIsKilled() async throws {
        var configuration = try TestRedis.configuration()
        configuration.commandTimeout = .seconds(10)
        let connection = try await RedisConnection.connect(configuration: configuration)
        defer { connection.close() }
        let id = try await connection.send("CLIENT", "ID").expectInt()
        let blocked = Task { try await connection.send("BLPOP", .string("test:redis:\(id):never"), 10) }

        let killer = try await RedisConnection.connect(configuration: configuration)
        defer { killer.close() }
        // Wait until the server is really executing BLPOP, so the kill hits a command in flight.
        for _ in 0..<100 {
            let info = try await killer.send("CLIENT", "LIST", "ID", .integer(Int(id))).expectString()
            if info.contains("cmd=blpop") { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try await killer.send("CLIENT", "KILL", "ID", .integer(Int(id))) == .integer(1))

        let error = try await #require(throws: RedisError.self) { try await blocked.value }
        #expect(error.code == .connectionClosed)
        #expect(!connection.isUsable)
    }

    @Test func slowCommandTimesOutAndTheNextCallWorks() async throws {
        try await TestRedis.withClient({ $0.maximumConnections = 1; $0.commandTimeout = .milliseconds(200) }) { redis, key in
            let clock = ContinuousClock()
            let start = clock.now
            // BLPOP would wait 10 s: the client's 200 ms deadline ends it long before, even on a
            // loaded machine.
            let error = try await #require(throws: RedisError.self) { try await redis.send("BLPOP", key("empty"), 10) }
            let elapsed = clock.now - start
            #expect(error.code == .timeout)
            #expect(elapsed >= .milliseconds(190))
            #expect(elapsed < .seconds(5))

            #expect(try await redis.send("PING") == .status("PONG"))
        }
    }

    @Test func closedPortGivesConnectionFailedQuickly() async throws {
        var configuration = try TestRedis.configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 1
        // A refused connection fails at once; waiting for this timeout instead would take 30 s.
        configuration.connectTimeout = .seconds(30)
        let clock = ContinuousClock()
        let start = clock.now
        let redis = RedisClient(configuration: configuration)
        defer { redis.close() }
        let error = try await #require(throws: RedisError.self) { try await redis.send("PING") }
        #expect(error.code == .connectionFailed)
        #expect(error.description.contains("127.0.0.1:1"))
        #expect(clock.now - start < .seconds(10))
        #expect(redis.statistics.open == 0)
    }

    @Test func databaseFromConfigurationIsSelected() async throws {
        try await TestRedis.withClient({ $0.database = 3 }) { redis, _ in
            let info = try await redis.send("CLIENT", "INFO").expectString()
            #expect(info.contains(" db=3 "))
        }
    }

    @Test func refusedAuthIsThrownFromConnect() async throws {
        var configuration = try TestRedis.configuration()
        configuration.password = "not-the-password"
        let redis = RedisClient(configuration: configuration)
        defer { redis.close() }
        // This server has no password; a server with one answers WRONGPASS. Either way AUTH fails.
        let error = try await #require(throws: RedisServerError.self) { try await redis.send("PING") }
        #expect(error.code == "ERR" || error.code == "WRONGPASS")
    }
}
