import AMQP
import Postgres
import Redis
import Synchronization

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

    /// Runs `probe` unstructured, so that a probe that ignores cancellation cannot hold the
    /// answer back past the deadline.
    private func measure(_ name: String, _ probe: @escaping @Sendable () async throws -> Duration) async -> Check {
        let deadline = self.deadline
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Duration, Failure>, Never>) in
            let answer = FirstAnswer(continuation)
            let work = Task {
                do {
                    answer.give(.success(try await probe()))
                } catch {
                    answer.give(.failure(Failure(description: Self.reason(error))))
                }
            }
            Task {
                try? await Task.sleep(for: deadline)
                if answer.give(.failure(Failure(description: "no answer within \(deadline)"))) { work.cancel() }
            }
        }
        return Check(name: name, result: result)
    }

    /// Resumes its continuation with whichever answer comes first.
    private final class FirstAnswer: Sendable {
        private let continuation: Mutex<CheckedContinuation<Result<Duration, Failure>, Never>?>

        init(_ continuation: CheckedContinuation<Result<Duration, Failure>, Never>) {
            self.continuation = Mutex(continuation)
        }

        /// True when this was the first answer.
        @discardableResult
        func give(_ result: Result<Duration, Failure>) -> Bool {
            guard let continuation = continuation.withLock({ $0.take() }) else { return false }
            continuation.resume(returning: result)
            return true
        }
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
