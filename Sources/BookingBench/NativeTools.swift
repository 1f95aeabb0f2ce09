import Foundation
import Postgres

/// The servers' own benchmark tools, run against the same servers for a baseline.
enum NativeTools {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `pgbench` running `SELECT 1` (the -S idea with the same statement as ours), prepared.
    /// A transaction count, not -T: pgbench ends -T with SIGALRM, which a child spawned from
    /// Swift's thread pool inherits blocked, so it would never stop.
    static func pgbench(url: PostgresConfiguration, clients: Int, transactions: Int) throws -> Double {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("select1-\(UUID().uuidString).sql")
        try "SELECT 1;\n".write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let output = try run("pgbench", [
            "-n", "-M", "prepared", "-f", script.path, "-c", "\(clients)", "-j", "\(min(clients, 2))",
            "-t", "\(max(1, transactions / clients))", url.url,
        ])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst(6).prefix { $0 != " " })
        else { throw Failure(description: "no tps line in pgbench's output:\n\(output)") }
        return value
    }

    /// `redis-benchmark` sending PING as a RESP array, as our client does.
    static func redisBenchmark(url: String, clients: Int, requests: Int) throws -> Double {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw Failure(description: "cannot read host and port from \(url)")
        }
        var arguments = ["-h", host, "-p", "\(components.port ?? 6379)", "-c", "\(clients)", "-n", "\(requests)",
                         "-t", "ping", "--csv"]
        if let password = components.password { arguments += ["-a", password] }
        let output = try run("redis-benchmark", arguments)
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("\"PING_MBULK\"") }) else {
            throw Failure(description: "no PING_MBULK line in redis-benchmark's output:\n\(output)")
        }
        let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        guard fields.count > 1, let value = Double(fields[1]) else {
            throw Failure(description: "unreadable redis-benchmark line: \(line)")
        }
        return value
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot run \(tool): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) exited with \(process.terminationStatus):\n\(output)")
        }
        return output
    }
}
