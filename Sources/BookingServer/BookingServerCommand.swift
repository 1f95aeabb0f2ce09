import ArgumentParser
import BookingSchema
import Foundation
import Hummingbird
import Logging
import Postgres
import Telemetry

/// `BookingServer` serves the API; `BookingServer migrate` only brings the schema up to date;
/// `BookingServer token USER` prints a development token for the token mode; `bare-route` and
/// `statement` serve and print the benchmarks' baselines.
/// Configuration comes from the environment (docs/api.md, "Configuration").
@main
struct BookingServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "BookingServer",
        abstract: "The seat reservation HTTP API.",
        subcommands: [Serve.self, Migrate.self, TokenCommand.self, BareRouteCommand.self, StatementCommand.self],
        defaultSubcommand: Serve.self
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Migrate the schema, then serve HTTP until SIGTERM or SIGINT.")

        func run() async throws {
            let (configuration, logger, exporter) = try environment()
            let app = try await buildApplication(configuration: configuration, logger: logger, exporter: exporter)
            try await app.runService()
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations and exit.")

        func run() async throws {
            let (configuration, logger, _) = try environment()
            let client = PostgresClient(configuration: try PostgresConfiguration(url: configuration.databaseURL), logger: logger)
            defer { client.close() }
            try await Migrator(client: client, logger: logger).migrate()
            logger.info("schema up to date")
        }
    }

    /// The configuration, and the process's logging and metrics set up from it (before the
    /// first logger is made, so that every logger writes in `LOG_FORMAT`).
    static func environment() throws -> (ServerConfiguration, Logger, PrometheusExporter) {
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let exporter = ProcessTelemetry.bootstrap(logFormat: configuration.logFormat, logLevel: configuration.logLevel)
        var logger = Logger(label: "BookingServer")
        logger.logLevel = configuration.logLevel
        return (configuration, logger, exporter)
    }
}

private func environment() throws -> (ServerConfiguration, Logger, PrometheusExporter) { try BookingServerCommand.environment() }
