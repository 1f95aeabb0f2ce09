import Redis
import Testing

/// Every reply type from a real Redis.
@Suite struct RedisReplyTests {
    @Test func statusAndIntegerReplies() async throws {
        try await TestRedis.withClient { redis, key in
            let pong = try await redis.send("PING")
            #expect(pong == .status("PONG"))
            #expect(try await redis.send("SET", key("n"), "41") == .status("OK"))
            #expect(try await redis.send("INCR", key("n")) == .integer(42))
            #expect(try await redis.send("INCRBY", key("n"), -50) == .integer(-8))
        }
    }

    @Test func bulkAndNullReplies() async throws {
        try await TestRedis.withClient { redis, key in
            _ = try await redis.send("SET", key("present"), "value")
            #expect(try await redis.send("GET", key("present")) == .bulk(Array("value".utf8)))
            let missing = try await redis.send("GET", key("missing"))
            #expect(missing == .null)
            #expect(missing.isNull)
            #expect(try await redis.send("MGET", key("present"), key("missing")) == .array([.bulk(Array("value".utf8)), .null]))
        }
    }

    @Test func nestedArrayReply() async throws {
        try await TestRedis.withClient { redis, _ in
            let reply = try await redis.send("EVAL", "return {1, {2, 'two', {}}, 'three'}", 0)
            #expect(reply == .array([
                .integer(1),
                .array([.integer(2), .bulk(Array("two".utf8)), .array([])]),
                .bulk(Array("three".utf8)),
            ]))
        }
    }

    @Test func errorReplyIsThrownWithItsCode() async throws {
        try await TestRedis.withClient { redis, key in
            _ = try await redis.send("SET", key("string"), "x")
            let wrongType = try await #require(throws: RedisServerError.self) {
                try await redis.send("LPUSH", key("string"), "y")
            }
            #expect(wrongType.code == "WRONGTYPE")
            #expect(wrongType.message.contains("wrong kind of value"))

            let unknown = try await #require(throws: RedisServerError.self) { try await redis.send("NO-SUCH-COMMAND") }
            #expect(unknown.code == "ERR")
            #expect(unknown.message.contains("unknown command"))
            // The connection is still in step after error replies.
            #expect(try await redis.send("GET", key("string")) == .bulk(Array("x".utf8)))
        }
    }

    @Test func errorInsidePipelineStaysInTheResults() async throws {
        try await TestRedis.withClient { redis, key in
            let replies = try await redis.pipeline([
                ["SET", key("s"), "v"],
                ["LPUSH", key("s"), "x"],
                ["GET", key("s")],
            ])
            #expect(replies.count == 3)
            #expect(replies[0] == .status("OK"))
            guard case .error(let error) = replies[1] else {
                Issue.record("expected an error reply, got \(replies[1])")
                return
            }
            #expect(error.code == "WRONGTYPE")
            #expect(replies[2] == .bulk(Array("v".utf8)))
        }
    }

    @Test func nonASCIITextRoundTrips() async throws {
        try await TestRedis.withClient { redis, key in
            let text = "Zoë 🎟"
            _ = try await redis.send("SET", key("Zoë 🎟 key"), .string(text))
            let reply = try await redis.send("GET", key("Zoë 🎟 key"))
            #expect(reply.string == text)
            #expect(reply.bytes == Array(text.utf8))
            #expect(try await redis.send("STRLEN", key("Zoë 🎟 key")) == .integer(9))
        }
    }

    @Test func binaryBytesIncludingZeroRoundTripByteForByte() async throws {
        try await TestRedis.withClient { redis, key in
            let bytes: [UInt8] = [0x00, 0x0D, 0x0A, 0x00] + (0...255).map { UInt8($0) } + [0x00]
            _ = try await redis.send("SET", key("binary"), .bytes(bytes))
            #expect(try await redis.send("GET", key("binary")).bytes == bytes)
            #expect(try await redis.send("STRLEN", key("binary")) == .integer(Int64(bytes.count)))
        }
    }

    @Test func askingForTheWrongReplyTypeThrowsAClearError() async throws {
        try await TestRedis.withClient { redis, _ in
            let error = try await #require(throws: RedisError.self) { try await redis.send("PING").expectInt() }
            #expect(error.code == .unexpectedReply)
            #expect(error.description == "expected an integer from Redis, got status PONG")
        }
    }
}
