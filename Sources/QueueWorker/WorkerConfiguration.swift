import Logging
import ProcessEnvironment
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
    var prefetch = 256
    /// Lanes handling messages at once (in order per booking). Without a webhook one lane is
    /// the fastest: it records whatever has piled up in one statement, so fewer, larger commits
    /// (measured in BENCHMARKS.md); with one, eight posts may wait on the receiver at once.
    var concurrency = 1
    static let webhookConcurrency = 8
    var topology = NotificationTopology()

    var databaseConnections: Int { concurrency + 2 }

    var retryPolicy: WebhookRetryPolicy {
        WebhookRetryPolicy(maxAttempts: webhookMaxAttempts, initialDelay: webhookInitialBackoff, maximumDelay: webhookMaximumBackoff)
    }

    init() {}

    /// Reads the variables that are set; a malformed value is an error that names it.
    init(environment: [String: String]) throws {
        let variables = EnvironmentVariables(environment)
        databaseURL = variables.string("DATABASE_URL") ?? databaseURL
        amqpURL = variables.string("AMQP_URL") ?? amqpURL
        webhookURL = variables.string("WEBHOOK_URL")
        if let webhookURL, !(webhookURL.hasPrefix("http://") || webhookURL.hasPrefix("https://")) {
            throw EnvironmentVariables.Invalid("WEBHOOK_URL must be an http:// or https:// URL")
        }
        webhookMaxAttempts = try variables.integer("WEBHOOK_MAX_ATTEMPTS", in: 1...100) ?? webhookMaxAttempts
        webhookTimeout = try variables.integer("WEBHOOK_TIMEOUT_MS", in: 1...600_000).map { .milliseconds($0) } ?? webhookTimeout
        webhookInitialBackoff = try variables.integer("WEBHOOK_BACKOFF_MS", in: 0...3_600_000).map { .milliseconds($0) } ?? webhookInitialBackoff
        webhookMaximumBackoff = try variables.integer("WEBHOOK_BACKOFF_MAX_MS", in: 0...86_400_000).map { .milliseconds($0) } ?? webhookMaximumBackoff
        prefetch = try variables.integer("WORKER_PREFETCH", in: 1...65_535) ?? prefetch
        concurrency = try variables.integer("WORKER_CONCURRENCY", in: 1...256)
            ?? (webhookURL == nil ? concurrency : Self.webhookConcurrency)
        if let queue = variables.string("NOTIFICATION_QUEUE") {
            // The broker refuses these at every declare; say so now rather than retry for ever.
            guard queue.utf8.count <= 250, !queue.hasPrefix("amq.") else {
                throw EnvironmentVariables.Invalid(
                    "NOTIFICATION_QUEUE must be at most 250 bytes (its DLQ adds \".dlq\") and not start with \"amq.\", not \"\(queue.prefix(40))\""
                )
            }
            topology.queue = queue
        }
        if let type = variables.string("WORKER_QUEUE_TYPE") {
            guard let parsed = NotificationTopology.QueueType(rawValue: type.lowercased()) else {
                throw EnvironmentVariables.Invalid("WORKER_QUEUE_TYPE must be classic or quorum, not \"\(type)\"")
            }
            topology.queueType = parsed
        }
        do {
            logFormat = try LogFormat(environment: environment)
        } catch {
            throw EnvironmentVariables.Invalid(error.description)
        }
        logLevel = try variables.logLevel("LOG_LEVEL") ?? logLevel
    }
}
