import Redis
import Testing

@Suite struct RedisScriptTests {
    /// Sets KEYS[1] to ARGV[1] and counts its runs in KEYS[2], so a test can see that it ran.
    static let script = RedisScript("""
        redis.call('SET', KEYS[1], ARGV[1])
        return redis.call('INCR', KEYS[2])
        """)

    @Test func localSHA1IsTheOneRedisComputes() async throws {
        try await TestRedis.withClient { redis, _ in
            let loaded = try await redis.send("SCRIPT", "LOAD", .string(Self.script.source))
            #expect(loaded.string == Self.script.sha1)
        }
    }

    @Test func evaluateWorksAfterScriptFlushAndTheScriptRuns() async throws {
        try await TestRedis.withClient { redis, key in
            // A source of its own, so that no test running in parallel loads the same SHA1.
            let script = RedisScript("-- \(key.prefix)\n" + Self.script.source)
            _ = try await redis.send("SCRIPT", "FLUSH")
            #expect(try await redis.send("SCRIPT", "EXISTS", .string(script.sha1)) == .array([.integer(0)]))

            let first = try await redis.evaluate(script, keys: [key("value"), key("runs")], arguments: ["Zoë 🎟"])
            #expect(first == .integer(1))
            #expect(try await redis.send("GET", key("value")).string == "Zoë 🎟")

            let second = try await redis.evaluate(script, keys: [key("value"), key("runs")], arguments: ["again"])
            #expect(second == .integer(2))
            #expect(try await redis.send("GET", key("value")).string == "again")
        }
    }

    @Test func scriptErrorReplyIsThrownWithItsCode() async throws {
        try await TestRedis.withClient { redis, _ in
            let soldOut = RedisScript("return redis.error_reply('SOLD_OUT no seats left')")
            let error = try await #require(throws: RedisServerError.self) { try await redis.evaluate(soldOut) }
            #expect(error.code == "SOLD_OUT")
            #expect(error.message == "no seats left")
        }
    }
}
