import Foundation
@testable import BookingServer
import Logging
import Synchronization
import Telemetry
import Testing

/// `X-Request-Id`: taken from the client when sane, made up otherwise, echoed, and in the
/// request's log lines (the access log shows them).
@Suite("Request id and access log")
struct RequestIDTests {
    /// Log lines a test's server wrote, as JSON objects.
    final class LogLines: Sendable {
        private let lines = Mutex<[[UInt8]]>([])

        var logger: Logger {
            Logger(label: "booking-server-tests") { [self] label in
                var handler = JSONLogHandler(label: label, sink: { line in self.lines.withLock { $0.append(line) } })
                handler.logLevel = .info
                return handler
            }
        }

        var objects: [[String: Any]] {
            lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
        }
    }

    @Test func aSaneRequestIDIsEchoed() async throws {
        try await TestServer.withAPI { api in
            let reply = try await api.get("/health/live", headers: [.requestID: "trace-42_ab.CD:ef/~!"])
            #expect(reply.headers["x-request-id"] == "trace-42_ab.CD:ef/~!")
        }
    }

    @Test(arguments: [nil, "", "has space", String(repeating: "a", count: 129), "tab\there", "zoë"])
    func anotherIDIsMadeUpWhenTheGivenOneIsMissingOrInsane(given: String?) async throws {
        try await TestServer.withAPI { api in
            let reply = try await api.get("/health/live", headers: given.map { [.requestID: $0] } ?? [:])
            let id = try #require(reply.headers["x-request-id"], "\(reply.headers)")
            #expect(id != given)
            #expect((1...128).contains(id.utf8.count) && id.utf8.allSatisfy { (0x21...0x7E).contains($0) }, "\(id)")
        }
    }

    @Test func errorsCarryTheRequestIDToo() async throws {
        try await TestServer.withAPI { api in
            let reply = try await api.post("/api/bookings/reserve", "not json", headers: [.requestID: "bad-body-1"])
            expectError(reply, 400, "INVALID_REQUEST")
            #expect(reply.headers["x-request-id"] == "bad-body-1")
        }
    }

    @Test func theAccessLogHasOneLinePerRequestWithRouteStatusDurationAndID() async throws {
        let log = LogLines()
        var options = TestServer.Options()
        options.accessLog = true
        options.logger = log.logger
        try await TestServer.withAPI(options: options) { api in
            _ = try await api.get("/api/bookings/9007199254740991", headers: [.requestID: "access-1"])
            _ = try await api.get("/health/live")
        }
        let lines = log.objects.filter { $0["message"] as? String == "request" }
        #expect(lines.count == 2, "\(log.objects)")
        let first = try #require(lines.first { $0["hb.request.id"] as? String == "access-1" }, "\(lines)")
        #expect(first["level"] as? String == "info")
        #expect(first["method"] as? String == "GET")
        #expect(first["route"] as? String == "/api/bookings/{booking_id}")
        #expect(first["status"] as? String == "404")
        #expect((first["duration_ms"] as? String).flatMap(Double.init) != nil, "\(first)")
    }

    @Test func withoutTheAccessLogNothingIsLoggedAtInfo() async throws {
        let log = LogLines()
        var options = TestServer.Options()
        options.logger = log.logger
        let user = TestEnvironment.uniqueUser("quiet")
        try await TestServer.withAPI(options: options) { api in
            let event = try await api.createEvent(seats: 2)
            _ = try await api.reserve(event: event, user: user)
            _ = try await api.reserve(event: event, user: user)
        }
        #expect(log.objects.isEmpty, "\(log.objects)")
    }
}
