import Redis
import Testing

@Suite struct RedisScriptTests {
    /// Sets KEYS[1] to ARGV[1] and counts its runs in KEYS[2], so a test can see that it ran.
    static let script = RedisScript("""
        redis.call('SET', KEYS[1], ARGV[1])
        return redis.call('INCR', KEYS[2])
        """)

    @Test func theFirstCallRemembersTheDigestThatScriptLoadAnswers() async throws {
        try await TestRedis.withClient { redis, key in
            // A source of its own, so that no test running in parallel has loaded it already.
            let script = RedisScript("-- \(key.prefix)\n" + Self.script.source)
            #expect(script.sha1 == nil)
            #expect(try await redis.evaluate(script, keys: [key("value"), key("runs")], arguments: ["x"]) == .integer(1))
            let loaded = try await redis.send("SCRIPT", "LOAD", .string(script.source))
            #expect(loaded.string == script.sha1)
        }
    }

    @Test func evaluateWorksAfterScriptFlushAndTheScriptRuns() async throws {
        try await TestRedis.withClient { redis, key in
            let script = RedisScript("-- \(key.prefix)\n" + Self.script.source)
            let first = try await redis.evaluate(script, keys: [key("value"), key("runs")], arguments: ["Zoë 🎟"])
            #expect(first == .integer(1))
            #expect(try await redis.send("GET", key("value")).string == "Zoë 🎟")

            // The remembered digest is now unknown to the server: EVALSHA answers NOSCRIPT.
            let sha1 = try #require(script.sha1)
            _ = try await redis.send("SCRIPT", "FLUSH")
            #expect(try await redis.send("SCRIPT", "EXISTS", .string(sha1)) == .array([.integer(0)]))

            let second = try await redis.evaluate(script, keys: [key("value"), key("runs")], arguments: ["again"])
            #expect(second == .integer(2))
            #expect(try await redis.send("GET", key("value")).string == "again")
            #expect(script.sha1 == sha1)
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
