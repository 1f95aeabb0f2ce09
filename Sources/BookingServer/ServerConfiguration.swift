import Logging
import Telemetry

/// Everything the server reads from its environment (names and defaults as API.md lists them;
/// the defaults point at the services `scripts/services` starts).
struct ServerConfiguration: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var databaseURL = "postgres://booking:booking@127.0.0.1:54329/booking"
    var redisURL = "redis://127.0.0.1:63790/0"
    var amqpURL = "amqp://booking:booking@127.0.0.1:56720/%2F"
    /// Nil disables the admin endpoints (every call answers 401): no default secret.
    var adminToken: String?
    var logLevel = Logger.Level.info
    /// `LOG_FORMAT`: one JSON object per line (default) or plain text.
    var logFormat = LogFormat.json
    /// `ACCESS_LOG=1`: one info line per request; off by default, so that nothing on the hot
    /// path logs at info.
    var accessLog = false
    var webhookURL: String?
    var rateLimitPerUser = 20
    var databaseConnections = 32
    var redisConnections = 32

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
        host = value("HOST") ?? host
        port = try integer("PORT", in: 0...65535) ?? port
        databaseURL = value("DATABASE_URL") ?? databaseURL
        redisURL = value("REDIS_URL") ?? redisURL
        amqpURL = value("AMQP_URL") ?? amqpURL
        adminToken = value("ADMIN_TOKEN")
        webhookURL = value("WEBHOOK_URL")
        rateLimitPerUser = try integer("RATE_LIMIT_PER_USER", in: 0...1_000_000) ?? rateLimitPerUser
        databaseConnections = try integer("DATABASE_POOL_SIZE", in: 1...1000) ?? databaseConnections
        redisConnections = try integer("REDIS_POOL_SIZE", in: 1...1000) ?? redisConnections
        do {
            logFormat = try LogFormat(environment: environment)
        } catch {
            throw Invalid(description: error.description)
        }
        if let flag = value("ACCESS_LOG") {
            switch flag.lowercased() {
            case "1", "true", "on", "yes": accessLog = true
            case "0", "false", "off", "no": accessLog = false
            default: throw Invalid(description: "ACCESS_LOG must be 1 or 0, not \"\(flag)\"")
            }
        }
        if let level = value("LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw Invalid(description: "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, not \"\(level)\"")
            }
            logLevel = parsed
        }
    }
}
