import AMQP
import Foundation
import Logging
import Synchronization
import Testing

/// The integration tests need the real broker: without it they fail, they never pass by skipping.
struct BrokerUnavailable: Error, CustomStringConvertible {
    let description: String
}

/// Every suite that talks to the tests' broker, one test at a time: `ReconnectTests` drops every
/// connection to the tests' vhost, which would break any broker test running beside it.
@Suite(.serialized) struct BrokerTests {}

/// Talks to the real RabbitMQ that `scripts/services up` starts, in its tests' vhost (or `TEST_AMQP_URL`).
enum Broker {
    static let url = ProcessInfo.processInfo.environment["TEST_AMQP_URL"] ?? "amqp://booking:booking@127.0.0.1:56720/booking_test"

    static func configuration(_ name: String = "test") throws -> AMQPConfiguration {
        try AMQPConfiguration(url: url, connectionName: "amqp-tests \(name)")
    }

    static var logger: Logger {
        var logger = Logger(label: "amqp.tests")
        logger.logLevel = ProcessInfo.processInfo.environment["AMQP_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    static func connect(_ name: String = "test") async throws -> AMQPConnection {
        do {
            return try await AMQPConnection.connect(configuration: configuration(name), logger: logger)
        } catch {
            throw BrokerUnavailable(description: "RabbitMQ not reachable at \(url) (start it with scripts/services up): \(error)")
        }
    }

    /// Drops every connection to the tests' vhost, as a broker restart would (`close_all_connections`
    /// acts on one vhost, "/" unless told).
    static func closeAllConnections(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try rabbitmqctl("close_all_connections", "-p", configuration().virtualHost, "test", sourceLocation: sourceLocation)
    }

    /// A name no other test (or developer) uses.
    static func unique(_ prefix: String) -> String {
        "amqp-test.\(prefix).\(UUID().uuidString.prefix(8))"
    }

    /// `scripts/services rabbitmqctl ARGS...`; the script is found next to this package, or at
    /// `AMQP_SERVICES_SCRIPT`.
    static func rabbitmqctl(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        let script = ProcessInfo.processInfo.environment["AMQP_SERVICES_SCRIPT"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/services").path
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw BrokerUnavailable(description: "no services script at \(script)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["rabbitmqctl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "rabbitmqctl \(arguments) failed", sourceLocation: sourceLocation)
    }
}

/// Collects a consumer's deliveries in the background so tests can wait for a count with a deadline.
final class DeliveryCollector: Sendable {
    private final class Log: Sendable {
        let received = Mutex<[AMQPDelivery]>([])
        let failure = Mutex<AMQPError?>(nil)
        let finished = Mutex(false)
    }

    private let log = Log()
    private let task: Task<Void, Never>

    init(_ consumer: AMQPConsumer) {
        let log = self.log
        task = Task {
            do {
                for try await delivery in consumer { log.received.withLock { $0.append(delivery) } }
            } catch {
                log.failure.withLock { $0 = error as? AMQPError }
            }
            log.finished.withLock { $0 = true }
        }
    }

    var deliveries: [AMQPDelivery] { log.received.withLock { $0 } }
    var failure: AMQPError? { log.failure.withLock { $0 } }
    var isFinished: Bool { log.finished.withLock { $0 } }

    /// Waits until at least `count` deliveries arrived, or `timeout` passed; returns them all.
    @discardableResult
    func wait(for count: Int, timeout: Duration = .seconds(5)) async throws -> [AMQPDelivery] {
        let deadline = ContinuousClock.now + timeout
        while deliveries.count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return deliveries
    }

    /// The first delivery, waiting up to `timeout`; fails the test if none came.
    func first(timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation) async throws -> AMQPDelivery {
        let first = try await wait(for: 1, timeout: timeout).first
        return try #require(first, "no delivery within \(timeout)", sourceLocation: sourceLocation)
    }

    /// Waits until the consumer's stream ended.
    func waitUntilFinished(timeout: Duration = .seconds(5)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !isFinished, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return isFinished
    }

    func stop() { task.cancel() }

    deinit { task.cancel() }
}
