import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One of the package's built executables (`.build/debug/NAME`, built by
/// `swift build --build-tests`), run as a child process with its output in a log file.
struct ChildProcess {
    let process: Process
    let log: URL

    static let binaries = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug")

    /// Starts `name` with the test process's environment plus `environment`.
    static func launch(_ name: String, environment: [String: String]) throws -> ChildProcess {
        let executable = binaries.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestFailure("\(executable.path) is missing: run `swift build --build-tests` first")
        }
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-test-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = executable
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try? output.close()
        return ChildProcess(process: process, log: log)
    }

    var logTail: String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return String(text.suffix(2_000))
    }

    /// SIGTERM, then waits for the exit; SIGKILL if it does not come. Returns the time it took
    /// and whether it exited by itself.
    @discardableResult
    func terminate(within limit: Duration = .seconds(5)) async -> (exited: Bool, elapsed: Duration) {
        guard process.isRunning else { return (true, .zero) }
        let clock = ContinuousClock()
        let start = clock.now
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning, clock.now - start < limit {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let elapsed = clock.now - start
        guard !process.isRunning else {
            await killNow()
            return (false, elapsed)
        }
        try? FileManager.default.removeItem(at: log)
        return (true, elapsed)
    }

    /// SIGKILL: no chance to finish anything. Returns once the process is gone.
    func killNow() async {
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
