import Foundation
import Logging
import Redis

/// The Redis that `scripts/services up` starts, shared with other suites: every test works under
/// its own key prefix and deletes its keys afterwards (never FLUSHALL).
enum TestRedis {
    static let url = ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:63790/0"

    static func configuration(_ adjust: (inout RedisConfiguration) -> Void = { _ in }) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: url)
        adjust(&configuration)
        return configuration
    }

    /// Runs `body` with a fresh client and a key namer, then deletes every key under the prefix.
    static func withClient(
        _ adjust: (inout RedisConfiguration) -> Void = { _ in },
        _ body: (RedisClient, TestKeys) async throws -> Void
    ) async throws {
        let client = RedisClient(configuration: try configuration(adjust), logger: Logger(label: "redis-tests"))
        let keys = TestKeys()
        do {
            try await body(client, keys)
            try await deleteKeys(under: keys.prefix)
            client.close()
        } catch {
            try? await deleteKeys(under: keys.prefix)
            client.close()
            throw error
        }
    }

    private static func deleteKeys(under prefix: String) async throws {
        let connection = try await RedisConnection.connect(configuration: try configuration())
        defer { connection.close() }
        var cursor = "0"
        repeat {
            let page = try await connection.send("SCAN", .string(cursor), "MATCH", .string(prefix + "*"), "COUNT", 1000).expectArray()
            cursor = try page[0].expectString()
            let found = try page[1].expectArray()
            if !found.isEmpty {
                _ = try await connection.send(RedisCommand(arguments: ["DEL"] + found.map { .bytes(try $0.expectBytes()) }))
            }
        } while cursor != "0"
    }
}

/// Names keys under a prefix unique to one test, so tests can run in parallel with anything else.
struct TestKeys: Sendable {
    let prefix = "test:redis:\(UUID().uuidString):"

    func callAsFunction(_ name: String) -> RedisArgument { .string(prefix + name) }
}
