import ArgumentParser
import Configuration
import Foundation
import NIOCore

/// The options every scenario shares: where the server is, how load is applied, what is reported.
struct LoadOptions: ParsableArguments {
    @Option(help: "The BookingServer to load (http://host:port).")
    var url = "http://127.0.0.1:8080"

    @Flag(help: "Allow a URL whose host is not this machine (127.0.0.0/8, ::1, localhost).")
    var allowRemote = false

    @Option(help: "Connections (keep-alive HTTP/1.1, one request in flight each).")
    var connections = 64

    @Option(help: "Open loop: start this many requests per second, whether or not answers are back; latency counts from each request's intended start. Without it: closed loop.")
    var rate: Int?

    @Option(help: "Stop starting requests after this many seconds (default: the scenario's).")
    var seconds: Int?

    @Option(help: "Stop after this many requests (default: the scenario's).")
    var requests: Int?

    @Option(help: "Seconds before an unanswered request counts as a transport error.")
    var timeout = 10

    @Option(help: "Event loop threads of the generator.")
    var threads = 1

    @Option(help: "Bearer token for POST /api/events (default: $ADMIN_TOKEN, else dev-admin-token).")
    var adminToken = BenchEnvironment.variables.string(forKey: "ADMIN_TOKEN", isSecret: true, default: "dev-admin-token")

    @Option(help: "Token mode: each user sends an HS256 token signed with this secret, the server's AUTH_JWT_SECRET (default: $AUTH_JWT_SECRET; without either, the trusting mode).")
    var jwtSecret: String?

    @Option(help: "The iss of the minted tokens (default: $AUTH_JWT_ISSUER).")
    var jwtIssuer: String?

    @Option(help: "The aud of the minted tokens (default: $AUTH_JWT_AUDIENCE).")
    var jwtAudience: String?

    @Flag(help: "The trusting mode even when $AUTH_JWT_SECRET is set: no user tokens.")
    var trusting = false

    @Flag(help: "Print the summary as JSON instead of a table.")
    var json = false

    @Option(help: "Also write the JSON summary to this file.")
    var summaryFile: String?

    @Flag(help: "Exit 0 even when requests failed or got answers the scenario does not expect (5xx, ...).")
    var tolerateErrors = false

    func validate() throws {
        let target: TargetURL
        do { target = try TargetURL(url) } catch { throw ValidationError(error.description) }
        guard target.isLoopback || allowRemote else {
            throw ValidationError("\(url) is not this machine; pass --allow-remote if you mean to load it")
        }
        guard (1...10_000).contains(connections) else { throw ValidationError("--connections takes 1 to 10000") }
        if let rate, !(1...OpenLoopSchedule.maximumRate).contains(rate) {
            throw ValidationError("--rate takes 1 to \(OpenLoopSchedule.maximumRate)")
        }
        if let seconds, !(1...OpenLoopSchedule.maximumSeconds).contains(seconds) {
            throw ValidationError("--seconds takes 1 to \(OpenLoopSchedule.maximumSeconds)")
        }
        if let requests, requests < 1 { throw ValidationError("--requests takes a positive number") }
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout takes 1 to 600") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads takes 1 to 64") }
        if trusting, jwtSecret != nil { throw ValidationError("--trusting and --jwt-secret exclude each other") }
        // The server refuses a shorter AUTH_JWT_SECRET at start-up; a token signed with it would only be refused.
        if let secret = tokens.secret, secret.utf8.count < 32 {
            throw ValidationError("--jwt-secret (or AUTH_JWT_SECRET) must be at least 32 bytes, as the server's, not \(secret.utf8.count)")
        }
        // It goes into an HTTP header as it is (HTTP1Wire frames requests by hand).
        guard !adminToken.isEmpty, adminToken.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw ValidationError("--admin-token (or ADMIN_TOKEN) takes visible ASCII characters without spaces")
        }
    }

    var target: TargetURL { try! TargetURL(url) }

    /// The token mode's secret and claims, or no secret in the trusting mode. The environment is
    /// read here rather than as the options' defaults, so that `--help` does not print the secret.
    var tokens: TokenOptions {
        if trusting { return TokenOptions() }
        // As the server reads them: an empty variable is an unset one.
        func variable(_ name: String, isSecret: Bool = false) -> String? {
            BenchEnvironment.variables.string(forKey: ConfigKey(name), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
        }
        return TokenOptions(
            secret: jwtSecret ?? variable("AUTH_JWT_SECRET", isSecret: true),
            issuer: jwtIssuer ?? variable("AUTH_JWT_ISSUER"),
            audience: jwtAudience ?? variable("AUTH_JWT_AUDIENCE")
        )
    }

    /// The plan for a run bounded by `defaultSeconds` and, when given, `naturalCount` requests
    /// (one per user in a flash sale); `--seconds` and `--requests` override them.
    func plan(defaultSeconds: Int, naturalCount: Int? = nil) -> LoadPlan {
        let seconds = self.seconds ?? defaultSeconds
        let limit = [requests, naturalCount].compactMap { $0 }.min()
        let mode: LoadMode = rate.map { .open(OpenLoopSchedule(ratePerSecond: $0, seconds: seconds, requestLimit: limit)) }
            ?? .closed(RequestBudget(limit: limit))
        return LoadPlan(
            target: target, connections: connections, mode: mode, seconds: seconds,
            requestTimeout: .seconds(Int64(timeout)), threads: threads
        )
    }

    var modeDescription: String {
        let loop = rate.map { "open loop at \($0) requests/s" } ?? "closed loop"
        return "\(loop), \(connections) connections, \(threads) generator thread\(threads == 1 ? "" : "s")"
    }
}
