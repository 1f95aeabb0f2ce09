import ArgumentParser
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
        // It goes into an HTTP header as it is (HTTP1Wire frames requests by hand).
        guard !adminToken.isEmpty, adminToken.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw ValidationError("--admin-token (or ADMIN_TOKEN) takes visible ASCII characters without spaces")
        }
    }

    var target: TargetURL { try! TargetURL(url) }

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
