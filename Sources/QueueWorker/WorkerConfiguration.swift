import Logging
import Telemetry

/// Everything the worker reads from its environment; the defaults point at the services
/// `scripts/services` starts.
struct WorkerConfiguration: Sendable {
    var databaseURL = "postgres://booking:booking@127.0.0.1:54329/booking"
    var amqpURL = "amqp://booking:booking@127.0.0.1:56720/%2F"
    var logLevel = Logger.Level.info
    var logFormat = LogFormat.json
    /// Nil: notifications are recorded, nothing is posted.
    var webhookURL: String?
    var webhookMaxAttempts = 5
    var webhookTimeout = Duration.seconds(5)
    var webhookInitialBackoff = Duration.milliseconds(500)
    var webhookMaximumBackoff = Duration.seconds(30)
    /// Unacknowledged deliveries the broker may send ahead.
    var prefetch = 64
    /// Messages handled at once (in order per booking).
    var concurrency = 8
    var topology = NotificationTopology()

    var databaseConnections: Int { concurrency + 2 }

    var retryPolicy: WebhookRetryPolicy {
        WebhookRetryPolicy(maxAttempts: webhookMaxAttempts, initialDelay: webhookInitialBackoff, maximumDelay: webhookMaximumBackoff)
    }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init() {}

    /// Reads the variables that are set; a malformed value is an error that names it.
    init(environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let text = value(name) else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw Invalid(description: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
            }
            return number
        }
        databaseURL = value("DATABASE_URL") ?? databaseURL
        amqpURL = value("AMQP_URL") ?? amqpURL
        webhookURL = value("WEBHOOK_URL")
        if let webhookURL, !(webhookURL.hasPrefix("http://") || webhookURL.hasPrefix("https://")) {
            throw Invalid(description: "WEBHOOK_URL must be an http:// or https:// URL")
        }
        webhookMaxAttempts = try integer("WEBHOOK_MAX_ATTEMPTS", in: 1...100) ?? webhookMaxAttempts
        webhookTimeout = try integer("WEBHOOK_TIMEOUT_MS", in: 1...600_000).map { .milliseconds($0) } ?? webhookTimeout
        webhookInitialBackoff = try integer("WEBHOOK_BACKOFF_MS", in: 0...3_600_000).map { .milliseconds($0) } ?? webhookInitialBackoff
        webhookMaximumBackoff = try integer("WEBHOOK_BACKOFF_MAX_MS", in: 0...86_400_000).map { .milliseconds($0) } ?? webhookMaximumBackoff
        prefetch = try integer("WORKER_PREFETCH", in: 1...65_535) ?? prefetch
        concurrency = try integer("WORKER_CONCURRENCY", in: 1...256) ?? concurrency
        topology.queue = value("NOTIFICATION_QUEUE") ?? topology.queue
        if let type = value("WORKER_QUEUE_TYPE") {
            guard let parsed = NotificationTopology.QueueType(rawValue: type.lowercased()) else {
                throw Invalid(description: "WORKER_QUEUE_TYPE must be classic or quorum, not \"\(type)\"")
            }
            topology.queueType = parsed
        }
        logFormat = try LogFormat(environment: environment)
        if let level = value("LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw Invalid(description: "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, not \"\(level)\"")
            }
            logLevel = parsed
        }
    }
}
