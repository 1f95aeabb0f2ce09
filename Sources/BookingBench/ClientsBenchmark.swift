import ArgumentParser
import Foundation
import Postgres
import Redis

/// Round trips per second through the Swift clients, next to the servers' own benchmark tools
/// run against the same servers in the same run.
struct ClientsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "PostgreSQL SELECT 1 and Redis PING round trips/s through the Swift clients vs pgbench and redis-benchmark."
    )

    @Option(help: "Concurrent callers, comma-separated.")
    var callers: String = "1,8,32"

    @Option(help: "Seconds per measurement.")
    var seconds: Int = 5

    @Option(help: "PostgreSQL URL.")
    var databaseURL = BenchEnvironment.variables.string(
        forKey: "DATABASE_URL", isSecret: true, default: "postgres://booking:booking@127.0.0.1:54329/booking"
    )

    @Option(help: "Redis URL.")
    var redisURL = BenchEnvironment.variables.string(forKey: "REDIS_URL", isSecret: true, default: "redis://127.0.0.1:63790/0")

    @Flag(help: "Print the table as Markdown only (for BENCHMARKS.md).")
    var markdown = false

    mutating func validate() throws {
        guard parsedCallers.allSatisfy({ (1...1024).contains($0) }), !parsedCallers.isEmpty else {
            throw ValidationError("--callers takes numbers from 1 to 1024, e.g. 1,8,32")
        }
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds takes 1 to 600") }
    }

    var parsedCallers: [Int] { callers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        let duration = Duration.seconds(seconds)
        let postgresTarget = try PostgresConfiguration(url: databaseURL)
        var rows: [Row] = []
        for count in parsedCallers {
            progress("callers \(count): PostgreSQL through the Swift client (non-blocking libpq)")
            let swiftPostgres = try await measurePostgres(callers: count, duration: duration)
            progress("callers \(count): PostgreSQL, blocking libpq on a thread per connection")
            let threaded = try await ThreadPerConnection.postgres(url: databaseURL, callers: count, duration: duration)
            progress("callers \(count): pgbench")
            let pgbench = try NativeTools.pgbench(
                url: postgresTarget, clients: count, transactions: max(20_000, Int(swiftPostgres) * seconds)
            )
            progress("callers \(count): Redis through the Swift client")
            let swiftRedis = try await measureRedis(callers: count, duration: duration)
            progress("callers \(count): Redis, blocking hiredis on a thread per connection")
            let redisTarget = try RedisConfiguration(url: redisURL)
            let redisThreaded = try await ThreadPerConnection.redis(
                host: redisTarget.host, port: redisTarget.port, callers: count, duration: duration
            )
            progress("callers \(count): redis-benchmark")
            let redisBenchmark = try NativeTools.redisBenchmark(
                url: redisURL, clients: count, requests: max(20_000, Int(swiftRedis) * seconds)
            )
            rows.append(Row(
                callers: count, postgres: swiftPostgres, postgresThreaded: threaded, pgbench: pgbench,
                redis: swiftRedis, redisThreaded: redisThreaded, redisBenchmark: redisBenchmark
            ))
        }
        print(Row.table(rows))
    }

    private func progress(_ line: String) {
        guard !markdown else { return }
        FileHandle.standardError.write(Data("… \(line)\n".utf8))
    }

    private func measurePostgres(callers: Int, duration: Duration) async throws -> Double {
        let client = PostgresClient(configuration: try PostgresConfiguration(
            url: databaseURL, pool: .init(maximumConnections: callers)
        ))
        defer { client.close() }
        let query = PostgresQuery("SELECT 1")
        return try await ClosedLoop.run(callers: callers, duration: duration) {
            _ = try await client.query(query)
        }
    }

    private func measureRedis(callers: Int, duration: Duration) async throws -> Double {
        var configuration = try RedisConfiguration(url: redisURL)
        configuration.maximumConnections = callers
        let client = RedisClient(configuration: configuration)
        defer { client.close() }
        return try await ClosedLoop.run(callers: callers, duration: duration) {
            _ = try await client.send(["PING"])
        }
    }

    struct Row {
        var callers: Int
        var postgres, postgresThreaded, pgbench, redis, redisThreaded, redisBenchmark: Double

        static func table(_ rows: [Row]) -> String {
            func rate(_ value: Double) -> String { String(format: "%.0f", value) }
            func ratio(_ ours: Double, _ theirs: Double) -> String { String(format: "%.2f", ours / theirs) }
            var lines = [
                "| callers | PG Swift client /s | PG thread-per-connection /s | pgbench /s | Swift ÷ pgbench | Redis Swift client /s | Redis thread-per-connection /s | redis-benchmark /s | Swift ÷ redis-benchmark |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for row in rows {
                lines.append(
                    "| \(row.callers) | \(rate(row.postgres)) | \(rate(row.postgresThreaded)) | \(rate(row.pgbench)) | "
                        + "\(ratio(row.postgres, row.pgbench)) | \(rate(row.redis)) | \(rate(row.redisThreaded)) | "
                        + "\(rate(row.redisBenchmark)) | "
                        + "\(ratio(row.redis, row.redisBenchmark)) |"
                )
            }
            return lines.joined(separator: "\n")
        }
    }
}
