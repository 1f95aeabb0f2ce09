import Configuration
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
    /// Nil: webhook posts are not signed. Else at least `WebhookSigner.minimumSecretBytes` bytes.
    var webhookSecret: String?
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

    /// The variables in `environment`: the process's, or a test's dictionary.
    init(environment: [String: String]) throws {
        try self.init(config: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    /// Reads the variables that are set; a malformed value is an error that names it (see
    /// `ConfigReader.value(_:mustBe:_:)` in Telemetry).
    init(config: ConfigReader) throws {
        databaseURL = config.text("DATABASE_URL", isSecret: true) ?? databaseURL
        amqpURL = config.text("AMQP_URL", isSecret: true) ?? amqpURL
        // Not echoed in the error: a webhook URL may carry a token.
        webhookURL = config.text("WEBHOOK_URL", isSecret: true)
        if let webhookURL, !(webhookURL.hasPrefix("http://") || webhookURL.hasPrefix("https://")) {
            throw InvalidConfigurationValue("WEBHOOK_URL must be an http:// or https:// URL")
        }
        webhookSecret = try Self.webhookSecret(config.text("WEBHOOK_SECRET", isSecret: true))
        webhookMaxAttempts = try config.integer("WEBHOOK_MAX_ATTEMPTS", in: 1...100) ?? webhookMaxAttempts
        webhookTimeout = try config.integer("WEBHOOK_TIMEOUT_MS", in: 1...600_000).map { .milliseconds($0) } ?? webhookTimeout
        webhookInitialBackoff = try config.integer("WEBHOOK_BACKOFF_MS", in: 0...3_600_000).map { .milliseconds($0) } ?? webhookInitialBackoff
        webhookMaximumBackoff = try config.integer("WEBHOOK_BACKOFF_MAX_MS", in: 0...86_400_000).map { .milliseconds($0) } ?? webhookMaximumBackoff
        prefetch = try config.integer("WORKER_PREFETCH", in: 1...65_535) ?? prefetch
        concurrency = try config.integer("WORKER_CONCURRENCY", in: 1...256)
            ?? (webhookURL == nil ? concurrency : Self.webhookConcurrency)
        if let queue = config.text("NOTIFICATION_QUEUE") {
            // The broker refuses these at every declare; say so now rather than retry for ever.
            guard queue.utf8.count <= 250, !queue.hasPrefix("amq.") else {
                throw InvalidConfigurationValue(
                    "NOTIFICATION_QUEUE must be at most 250 bytes (its DLQ adds \".dlq\") and not start with \"amq.\", not \"\(queue.prefix(40))\""
                )
            }
            topology.queue = queue
        }
        topology.queueType = try config.value("WORKER_QUEUE_TYPE", mustBe: "classic or quorum") { type in
            NotificationTopology.QueueType(rawValue: type.lowercased())
        } ?? topology.queueType
        logFormat = try config.logFormat() ?? logFormat
        logLevel = try config.logLevel("LOG_LEVEL") ?? logLevel
    }

    /// `WEBHOOK_SECRET` as set (nil: unset or empty), refused when it is short or has white space
    /// at either end (a newline from a secrets file, say, that a receiver's copy may lack). The
    /// errors never show the value.
    private static func webhookSecret(_ secret: String?) throws(InvalidConfigurationValue) -> String? {
        guard let secret else { return nil }
        let bytes = secret.utf8.count
        guard bytes >= WebhookSigner.minimumSecretBytes else {
            throw InvalidConfigurationValue(
                "WEBHOOK_SECRET must be at least \(WebhookSigner.minimumSecretBytes) bytes, not \(bytes) (the value is not shown)"
            )
        }
        guard secret.first?.isWhitespace == false, secret.last?.isWhitespace == false else {
            throw InvalidConfigurationValue("WEBHOOK_SECRET must not begin or end with white space (the value is not shown)")
        }
        return secret
    }
}
