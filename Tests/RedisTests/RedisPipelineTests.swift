import Redis
import Testing

@Suite struct RedisPipelineTests {
    @Test func hundredPipelinedCommandsAreAnsweredInOrder() async throws {
        try await TestRedis.withClient { redis, key in
            let commands = (0..<100).map { i -> RedisCommand in
                i % 2 == 0 ? ["INCR", key("counter")] : ["ECHO", .string("echo \(i)")]
            }
            let replies = try await redis.pipeline(commands)
            #expect(replies.count == 100)
            for (i, reply) in replies.enumerated() {
                let expected: RedisValue = i % 2 == 0 ? .integer(Int64(i / 2 + 1)) : .bulk(Array("echo \(i)".utf8))
                #expect(reply == expected, "reply \(i)")
            }
        }
    }

    @Test func concurrentCommandsOnOneConnectionGetTheirOwnReplies() async throws {
        try await TestRedis.withClient { redis, _ in
            try await redis.withConnection { connection in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<100 {
                        group.addTask {
                            let reply = try await connection.send("ECHO", .string("message \(i)"))
                            #expect(reply.string == "message \(i)")
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test func twoHundredConcurrentSendsOnTheSharedConnectionsAreAnsweredCorrectly() async throws {
        try await TestRedis.withClient({ $0.sharedConnections = 2 }) { redis, key in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        _ = try await redis.send("SET", key("k\(i)"), .integer(i * 7))
                        let reply = try await redis.send("GET", key("k\(i)"))
                        #expect(reply.int == Int64(i * 7), "key \(i)")
                    }
                }
                try await group.waitForAll()
            }
            #expect(redis.sharedOpen >= 1 && redis.sharedOpen <= 2)
            #expect(redis.statistics.open == 0, "the pool is only for withConnection")
        }
    }

    @Test func concurrentCallersShareOneConnection() async throws {
        try await TestRedis.withClient({ $0.sharedConnections = 1 }) { redis, _ in
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await redis.send("CLIENT", "ID").expectInt() }
                }
                return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
        }
    }
}
