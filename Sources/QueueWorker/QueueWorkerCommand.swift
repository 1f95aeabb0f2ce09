import ArgumentParser
import Foundation
import Logging

/// `QueueWorker` consumes the booking messages and records (and, with `WEBHOOK_URL`, posts) one
/// notification per booking change. Configuration comes from the environment (README).
@main
struct QueueWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "QueueWorker",
        abstract: "Consumes booking messages from RabbitMQ: exactly one notification per booking change."
    )

    func run() async throws {
        let configuration: WorkerConfiguration
        do {
            configuration = try WorkerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        var logger = Logger(label: "QueueWorker")
        logger.logLevel = configuration.logLevel
        let worker = try await Worker.build(configuration: configuration, logger: logger)
        try await worker.serviceGroup(logger: logger).run()
    }
}
