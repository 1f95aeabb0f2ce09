#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing

@testable import BookingServer

/// The transport against slow and flooding clients, on a real socket (docs/operations.md,
/// "Transport limits"). Plain sockets: an HTTP client library would not half-send a head.
@Suite("Transport limits", .serialized)
struct TransportLimitsTests {
    @Test func anIdleKeepAliveConnectionClosesAfterTheIdleTimeoutNotTheHeadDeadline() async throws {
        var transport = TransportLimits()
        transport.headTimeout = .milliseconds(500)
        transport.idleTimeout = .seconds(2)
        try await TestServer.withLiveAPI(options: .init(transport: transport)) { api in
            let port = try #require(api.port)
            let outcome = await offTheTestPool { () -> (first: Int?, second: Int?, ending: RawHTTPConnection.Ending, idle: Duration) in
                guard let connection = RawHTTPConnection(port: port) else { return (nil, nil, .reset, .zero) }
                let request = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                connection.send(request)
                let first = connection.readReply(timeout: .seconds(10))?.status
                // Within the idle timeout, and past the head deadline: still open.
                Thread.sleep(forTimeInterval: 1)
                connection.send(request)
                let second = connection.readReply(timeout: .seconds(10))?.status
                let clock = ContinuousClock()
                let idleStart = clock.now
                let result = connection.readToEnd(timeout: .seconds(15))
                return (first, second, result.ending, clock.now - idleStart)
            }
            #expect(outcome.first == 200)
            #expect(outcome.second == 200, "closed before the idle timeout")
            #expect(outcome.ending == .closed)
            #expect(outcome.idle >= .milliseconds(1800) && outcome.idle <= .seconds(8), "closed after \(outcome.idle) idle")
            print("transport idle: a kept-alive connection closed after \(outcome.idle) idle (timeout 2 s)")
        }
    }

    @Test func aHeadThatMissesItsDeadlineIsAnswered408WithARequestIDAndCounted() async throws {
        var transport = TransportLimits()
        transport.headTimeout = .milliseconds(500)
        let metrics = ServerMetrics(routes: APIRoutes.templates)
        try await TestServer.withLiveAPI(options: .init(metrics: metrics, transport: transport)) { api in
            let port = try #require(api.port)
            let reply = await offTheTestPool { () -> Reply? in
                guard let connection = RawHTTPConnection(port: port) else { return nil }
                connection.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                let read = connection.readToEnd(timeout: .seconds(10))
                return Reply(raw: read.bytes, complete: true)
            }
            let answer = try #require(reply, "no answer to a head past its deadline")
            expectError(answer, 408, "REQUEST_TIMEOUT")
            #expect(answer.headers["connection"] == "close")
            #expect(answer.headers["x-request-id"].map { !$0.isEmpty } == true, "\(answer.headers)")
            let text = PrometheusText(try await api.get("/metrics").text)
            // HummingbirdTesting's live client opens a connection of its own at the start and sends
            // nothing on it for longer than 500 ms: it gets its 408 too.
            let timeouts = text.value("http_transport_answers_total", ["status": "408"]) ?? 0
            #expect((1...2).contains(timeouts), "408s counted: \(timeouts)")
            #expect(text.value("http_transport_answers_total", ["status": "431"]) == 0)
        }
    }

    @Test func overTheConnectionCapTheNextIsAnswered503AndServedOnceOthersClose() async throws {
        var transport = TransportLimits()
        transport.maxConnections = 20
        let metrics = ServerMetrics(routes: APIRoutes.templates)
        try await TestServer.withLiveAPI(options: .init(metrics: metrics, transport: transport)) { api in
            let port = try #require(api.port)
            let outcome = await offTheTestPool { capScenario(port: port, cap: 20) }
            // HummingbirdTesting's live client holds one connection of its own, so 19 or 20 of ours.
            #expect((19...20).contains(outcome.heldServed), "served before the cap: \(outcome.heldServed)")
            #expect(outcome.refusedEnding != .timedOut, "the connection over the cap hung")
            #expect(outcome.refusedWithin < .seconds(3), "answered after \(outcome.refusedWithin)")
            if let refused = outcome.refused {
                expectError(refused, 503, "UNAVAILABLE")
                #expect(refused.headers["connection"] == "close")
                #expect(refused.headers["x-request-id"].map { !$0.isEmpty } == true)
            }
            let refusals = PrometheusText(try await api.get("/metrics").text).value("http_transport_answers_total", ["status": "503"])
            #expect((refusals ?? 0) >= 1, "503s counted: \(String(describing: refusals))")
            #expect(outcome.servedAfterClosing == 200, "after closing 5, a new connection is served")
            print("""
                transport cap: the connection over the cap answered \(outcome.refused.map { String($0.status) } ?? "EOF") \
                in \(outcome.refusedWithin); served again after closing 5 in \(outcome.servedAgainAfter)
                """)
        }
    }

    @Test func anOversizedHeadIsAnswered431WhetherItsFieldsOrItsTargetAreTooLong() async throws {
        let metrics = ServerMetrics(routes: APIRoutes.templates)
        try await TestServer.withLiveAPI(options: .init(metrics: metrics)) { api in
            let port = try #require(api.port)
            let limit = TransportLimits().maxHeadBytes
            let replies = await offTheTestPool { () -> (field: Reply?, target: Reply?, fitting: Reply?) in
                func ask(target: String = "/health/live", headerBytes: Int) -> Reply? {
                    guard let connection = RawHTTPConnection(port: port) else { return nil }
                    let value = String(repeating: "a", count: headerBytes)
                    connection.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: \(value)\r\nConnection: close\r\n\r\n")
                    let read = connection.readToEnd(timeout: .seconds(10))
                    return Reply(raw: read.bytes, complete: true)
                }
                // The request line's target counts with the fields.
                let longTarget = "/health/live?pad=" + String(repeating: "b", count: limit + 1024)
                return (ask(headerBytes: limit + 4096), ask(target: longTarget, headerBytes: 1), ask(headerBytes: limit / 2))
            }
            for reply in [replies.field, replies.target] {
                let reply = try #require(reply, "no answer to an oversized head")
                expectError(reply, 431, "HEADERS_TOO_LARGE")
                #expect(reply.headers["connection"] == "close")
                // Its own request id, as the router's answers have.
                #expect(reply.headers["x-request-id"].map { !$0.isEmpty } == true, "\(reply.headers)")
            }
            #expect(replies.field?.headers["x-request-id"] != replies.target?.headers["x-request-id"])
            #expect(replies.fitting?.status == 200, "a head within the limit: \(String(describing: replies.fitting))")
            let text = PrometheusText(try await api.get("/metrics").text)
            #expect(text.value("http_transport_answers_total", ["status": "431"]) == 2)
            #expect(text.value("http_transport_answers_total", ["status": "408"]) == 0)
            // Answered by the transport, so never seen by the router's count.
            #expect(text.value("http_requests_total", ["route": "/health/live", "status": "431"]) == nil)
        }
    }
}

struct CapOutcome: Sendable {
    var heldServed = 0
    var refused: Reply?
    var refusedEnding = RawHTTPConnection.Ending.timedOut
    var refusedWithin = Duration.zero
    var servedAfterClosing: Int?
    var servedAgainAfter = Duration.zero
}

/// Holds `cap` served keep-alive connections, asks on one more, closes five and asks again.
func capScenario(port: Int, cap: Int) -> CapOutcome {
    let request = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    var outcome = CapOutcome()
    var held: [RawHTTPConnection] = []
    let clock = ContinuousClock()
    // One at a time, each served (so counted) before the next connects, until one is refused.
    for _ in 0...cap {
        guard let connection = RawHTTPConnection(port: port) else { break }
        let start = clock.now
        connection.send(request)
        let reply = connection.readReply(timeout: .seconds(10))
        if reply?.status == 200 {
            outcome.heldServed += 1
            held.append(connection)
            continue
        }
        // Refused: an answer (or none), then the server's close.
        outcome.refused = reply
        outcome.refusedEnding = connection.readToEnd(timeout: .seconds(10)).ending
        outcome.refusedWithin = clock.now - start
        break
    }
    held.removeLast(5)
    let closed = clock.now
    // The server counts a connection out when it sees the close: shortly, not at once.
    while clock.now - closed < .seconds(10) {
        if let connection = RawHTTPConnection(port: port) {
            connection.send(request)
            let status = connection.readReply(timeout: .seconds(5))?.status
            if status == 200 {
                outcome.servedAfterClosing = 200
                break
            }
            outcome.servedAfterClosing = status
        }
        Thread.sleep(forTimeInterval: 0.1)
    }
    outcome.servedAgainAfter = clock.now - closed
    return outcome
}

extension LiveAPI {
    /// The port of `baseURL` (`http://127.0.0.1:PORT`).
    var port: Int? { baseURL.split(separator: ":").last.flatMap { Int($0) } }
}
