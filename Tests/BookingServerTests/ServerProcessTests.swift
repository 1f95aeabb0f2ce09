import AsyncHTTPClient
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `BookingServer` executable, run as a child process on a port of its own.
struct BookingServerProcess {
    let child: ChildProcess
    let port: Int

    var process: Process { child.process }
    var logTail: String { child.logTail }

    static func launch() throws -> BookingServerProcess {
        let port = try freePort()
        let child = try ChildProcess.launch("BookingServer", environment: [
            "HOST": "127.0.0.1", "PORT": String(port),
            "DATABASE_URL": TestEnvironment.databaseURL, "REDIS_URL": TestEnvironment.redisURL,
            "AMQP_URL": TestEnvironment.amqpURL, "ADMIN_TOKEN": TestEnvironment.adminToken,
            "RATE_LIMIT_PER_USER": "0", "LOG_LEVEL": "warning",
            "DATABASE_POOL_SIZE": "16", "REDIS_CONNECTIONS": "3",
            // As the in-process test servers: no expiry task moving other tests' holds.
            "HOLD_EXPIRY_INTERVAL_MS": "0",
        ])
        return BookingServerProcess(child: child, port: port)
    }

    /// Polls `/health/live` until it answers 200.
    func waitUntilLive(http: HTTPClient, within limit: Duration = .seconds(20)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            guard process.isRunning else {
                throw TestFailure("BookingServer on port \(port) exited with \(process.terminationStatus) before serving: \(logTail)")
            }
            if let reply = try? await LiveAPI(http: http, baseURL: "http://127.0.0.1:\(port)").get("/health/live"), reply.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("BookingServer on port \(port) did not serve /health/live within \(limit): \(logTail)")
    }

    @discardableResult
    func terminate(within limit: Duration = .seconds(5)) async -> (exited: Bool, elapsed: Duration) {
        await child.terminate(within: limit)
    }

    /// A port the kernel just handed out and released.
    static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestFailure("socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketFD, generic, length) == 0 && getsockname(socketFD, generic, &length) == 0
            }
        }
        guard bound else { throw TestFailure("could not bind an ephemeral port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs `body` with `count` server processes serving; terminates every one of them afterwards,
/// whether `body` succeeded or not, and checks each exited 0 by itself within 5 s.
func withServerProcesses(
    _ count: Int, _ body: ([BookingServerProcess], HTTPClient) async throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    try await TestSchema.ensureMigrated()
    try await ExclusiveSection.run { try await runServerProcesses(count, body, sourceLocation: sourceLocation) }
}

private func runServerProcesses(
    _ count: Int, _ body: ([BookingServerProcess], HTTPClient) async throws -> Void, sourceLocation: SourceLocation
) async throws {
    var servers: [BookingServerProcess] = []
    let http = LiveAPI.makeHTTPClient()
    func stopAll() async {
        for server in servers {
            let outcome = await server.terminate()
            #expect(outcome.exited, "port \(server.port) ignored SIGTERM for \(outcome.elapsed): \(server.logTail)", sourceLocation: sourceLocation)
            if outcome.exited {
                #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0,
                        "port \(server.port) exited with \(server.process.terminationStatus)", sourceLocation: sourceLocation)
            }
        }
        try? await http.shutdown()
    }
    do {
        for _ in 0..<count { servers.append(try BookingServerProcess.launch()) }
        for server in servers { try await server.waitUntilLive(http: http) }
        try await body(servers, http)
    } catch {
        await stopAll()
        throw error
    }
    await stopAll()
}

@Suite("Server processes")
struct ServerProcessTests {
    @Test func flashSaleSplitBetweenTwoServerProcessesIsExact() async throws {
        try await withServerProcesses(2) { servers, http in
            let apis = servers.map { LiveAPI(http: http, baseURL: "http://127.0.0.1:\($0.port)") }
            let event = try await apis[0].createEvent(seats: 200)
            let run = UUID().uuidString.prefix(8)
            let users = (0..<1_000).map { "duo-\(run)-\($0)" }
            let outcomes = try await race(event: event, users: users, servers: apis)
            try await expectExactSale(outcomes, event: event, seats: 200, users: 1_000, api: apis[1])
            let seen = try await apis[1].get("/api/events/\(event)")
            #expect(seen.json?["event"] == (try await apis[0].get("/api/events/\(event)")).json?["event"], "both instances agree")
        }
    }

    @Test func serverProcessExits0SoonAfterSIGTERM() async throws {
        try await TestSchema.ensureMigrated()
        try await ExclusiveSection.run { try await Self.launchBookAndTerminate() }
    }

    private static func launchBookAndTerminate() async throws {
        let server = try BookingServerProcess.launch()
        let http = LiveAPI.makeHTTPClient(connections: 4)
        var stream: SSEStream?
        do {
            try await server.waitUntilLive(http: http)
            let api = LiveAPI(http: http, baseURL: "http://127.0.0.1:\(server.port)")
            let event = try await api.createEvent(seats: 3)
            let reply = try await api.reserve(event: event, user: TestEnvironment.uniqueUser())
            #expect(reply.status == 201, "\(reply): \(server.logTail)")
            // An open seat stream, which never ends by itself, must not hold the shutdown up.
            stream = try await SSEStream.open(http, "http://127.0.0.1:\(server.port)", "/api/events/\(event)/stream")
            #expect(try await stream?.nextEvent()?.event == "snapshot")
        } catch {
            await server.terminate()
            try? await http.shutdown()
            throw error
        }
        let outcome = await server.terminate(within: .seconds(5))
        #expect(try await stream?.next(within: .seconds(2)) == nil, "the stream ended with the server")
        stream?.close()
        try await http.shutdown()
        #expect(outcome.exited, "still running \(outcome.elapsed) after SIGTERM: \(server.logTail)")
        #expect(outcome.elapsed < .seconds(5))
        #expect(server.process.terminationReason == .exit, "ended by \(server.process.terminationReason)")
        #expect(server.process.terminationStatus == 0, "exit status \(server.process.terminationStatus): \(server.logTail)")
    }
}
