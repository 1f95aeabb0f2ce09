import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceLifecycle
import Synchronization

@testable import BookingServer

/// One Server-Sent Event as a client parses it (a comment line is an event of its own here).
struct SSEEvent: Sendable, Equatable {
    var event: String?
    var id: String?
    var data: String
    var comment: String?

    /// The `data:` line as JSON.
    var json: JSON? { try? JSONDecoder().decode(JSON.self, from: Data(data.utf8)) }
}

/// A stream opened with AsyncHTTPClient, read event by event.
final class SSEStream: Sendable {
    let status: Int
    let headers: [String: String]
    private let received = Mutex<(events: [SSEEvent], ended: Bool)>(([], false))
    private let reader = Mutex<Task<Void, Never>?>(nil)

    /// Opens `path` on `baseURL`, sending `Last-Event-ID` when given.
    static func open(_ http: HTTPClient, _ baseURL: String, _ path: String, lastEventID: String? = nil) async throws -> SSEStream {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await http.execute(request, timeout: .seconds(120))
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        let stream = SSEStream(status: Int(response.status.code), headers: headers)
        let task = Task {
            var pending: [UInt8] = []
            do {
                for try await buffer in response.body {
                    pending += Array(buffer: buffer)
                    while let end = Self.blockEnd(in: pending) {
                        let block = String(decoding: pending[..<end], as: UTF8.self)
                        pending.removeFirst(end + 2)
                        let event = Self.parse(block)
                        stream.received.withLock { $0.events.append(event) }
                    }
                }
            } catch {}
            stream.received.withLock { $0.ended = true }
        }
        stream.reader.withLock { $0 = task }
        return stream
    }

    private init(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = headers
    }

    deinit { reader.withLock { $0?.cancel() } }

    func close() { reader.withLock { $0?.cancel() } }

    /// The next event within `limit`; nil when the stream ended. Throws ``TimedOutWaiting``.
    func next(within limit: Duration = .seconds(5)) async throws -> SSEEvent? {
        let deadline = ContinuousClock.now + limit
        while true {
            let (event, ended): (SSEEvent?, Bool) = received.withLock { state in
                if !state.events.isEmpty { return (state.events.removeFirst(), false) }
                return (nil, state.ended)
            }
            if let event { return event }
            if ended { return nil }
            guard ContinuousClock.now < deadline else { throw TimedOutWaiting(limit: limit) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The next event that is not a comment.
    func nextEvent(within limit: Duration = .seconds(5)) async throws -> SSEEvent? {
        let deadline = ContinuousClock.now + limit
        while true {
            guard let event = try await next(within: max(.zero, deadline - .now)) else { return nil }
            if event.comment == nil { return event }
        }
    }

    private static func blockEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == 10 && bytes[index + 1] == 10 { return index }
        return nil
    }

    static func parse(_ block: String) -> SSEEvent {
        var event = SSEEvent(event: nil, id: nil, data: "", comment: nil)
        var data: [String] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                event.comment = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("event: ") {
                event.event = String(line.dropFirst(7))
            } else if line.hasPrefix("id: ") {
                event.id = String(line.dropFirst(4))
            } else if line.hasPrefix("data: ") {
                data.append(String(line.dropFirst(6)))
            }
        }
        event.data = data.joined(separator: "\n")
        return event
    }
}

struct TimedOutWaiting: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no event within \(limit)" }
}

/// A live server with its seat hub running, on the test stores (without an expiry task, as every
/// test server); `body` gets its base URL. Several may run at once: each is an instance of its own.
enum StreamServer {
    static func with<Value: Sendable>(
        ping: Duration = .seconds(15), backlog: Int = 64, databaseURL: String = TestEnvironment.databaseURL,
        metrics: ServerMetrics = ServerMetrics(routes: APIRoutes.templates),
        _ body: @Sendable @escaping (String) async throws -> Value
    ) async throws -> Value {
        try await TestSchema.ensureMigrated()
        var configuration = TestEnvironment.configuration(databaseURL: databaseURL)
        configuration.stream.ping = ping
        configuration.stream.backlog = backlog
        let logger = TestEnvironment.logger
        let clients = try StoreClients(configuration: configuration, logger: logger)
        let (router, _, seats) = buildRoutes(clients: clients, configuration: configuration, logger: logger, metrics: metrics)
        let services: [any Service] = [clients, seats]
        let app = makeApplication(
            router: router, configuration: configuration, serverName: "StreamTests",
            services: services, metrics: metrics, logger: logger
        )
        do {
            let value = try await app.test(.live) { client in
                guard let port = client.port else { throw TestFailure("the live test server has no port") }
                return try await body("http://127.0.0.1:\(port)")
            }
            await clients.close()
            return value
        } catch {
            await clients.close()
            throw error
        }
    }
}
