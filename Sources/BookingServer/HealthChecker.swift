import AMQP
import Postgres
import Redis

/// Checks each dependency with a round trip of its own, all at once, each within its own
/// deadline: a hanging server makes its check fail, never the health answer late.
struct HealthChecker: Sendable {
    let postgres: PostgresClient
    let redis: RedisClient
    let amqp: AMQPClient
    var deadline: Duration = .milliseconds(800)

    struct Check: Sendable {
        let name: String
        let result: Result<Duration, Failure>
        var isUp: Bool { if case .success = result { true } else { false } }
    }

    /// A short reason, without secrets or host names.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func check() async -> [Check] {
        let amqp = self.amqp
        async let postgresCheck = measure("postgres") { try await postgres.ping() }
        async let redisCheck = measure("redis") { try await redis.ping() }
        async let amqpCheck = measure("rabbitmq") {
            let clock = ContinuousClock()
            let start = clock.now
            try await amqp.declare(BookingTopology.publisher)
            return clock.now - start
        }
        return await [postgresCheck, redisCheck, amqpCheck]
    }

    /// Runs `probe` within the deadline, even a probe that ignores cancellation.
    private func measure(_ name: String, _ probe: @escaping @Sendable () async throws -> Duration) async -> Check {
        let result = await Deadline.firstAnswer(within: deadline, probe).mapError { error in
            Failure(description: error is Deadline.Missed ? "\(error)" : Self.reason(error))
        }
        return Check(name: name, result: result)
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case let error as PostgresError: "unreachable (\(error.kind))"
        case let error as RedisError: "unreachable (\(error.code))"
        case let error as AMQPError: "unreachable (\(error.kind))"
        default: "unreachable"
        }
    }
}
