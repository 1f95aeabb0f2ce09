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

    @Test func twoHundredConcurrentSendsThroughThePoolAreAnsweredCorrectly() async throws {
        // A roomy acquire timeout: this checks answers, not speed, and may run on a busy machine.
        try await TestRedis.withClient({ $0.maximumConnections = 8; $0.acquireTimeout = .seconds(30) }) { redis, key in
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
            let statistics = redis.statistics
            #expect(statistics.open >= 1 && statistics.open <= 8)
            #expect(statistics.waiting == 0)
            #expect(statistics.inUse == 0)
        }
    }
}
