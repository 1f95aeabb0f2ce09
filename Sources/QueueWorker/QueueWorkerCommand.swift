import ArgumentParser
import Foundation
import Logging
import Telemetry

/// `QueueWorker` consumes the booking messages and records (and, with `WEBHOOK_URL`, posts) one
/// notification per booking change. Configuration comes from the environment (README).
@main
struct QueueWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "QueueWorker",
        abstract: "Consumes booking messages from RabbitMQ: exactly one notification per booking change."
    )

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: WorkerConfiguration
        let metricsConfiguration: MetricsServer.Configuration
        do {
            configuration = try WorkerConfiguration(environment: environment)
            metricsConfiguration = try MetricsServer.Configuration(environment: environment)
        } catch {
            throw ValidationError("\(error)")
        }
        // Before the first logger: every logger then writes in LOG_FORMAT.
        let exporter = ProcessTelemetry.bootstrap(logFormat: configuration.logFormat, logLevel: configuration.logLevel)
        var logger = Logger(label: "QueueWorker")
        logger.logLevel = configuration.logLevel
        var worker = try await Worker.build(configuration: configuration, logger: logger, metricsFactory: exporter.factory)
        worker.metricsServer = MetricsServer(exporter: exporter, configuration: metricsConfiguration, logger: logger)
        try await worker.serviceGroup(logger: logger).run()
    }
}
