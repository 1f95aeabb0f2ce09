import Foundation
import Hummingbird
import Testing

/// Unknown routes, wrong methods, and the health endpoints with every store up.
@Suite("Routing and health")
struct RoutingAndHealthTests {
    @Test(arguments: ["/index.html", "/api", "/api/nothing", "/api/bookings", "/api/bookings/user", "/api/bookings/1/extra", "/api/events/1/seats/1", "/healthz"])
    func unknownRouteIs404InTheEnvelope(path: String) async throws {
        try await TestServer.withAPI { api in
            expectError(try await api.get(path), 404, "NOT_FOUND")
        }
    }

    @Test(arguments: [
        ("GET", "/api/bookings/reserve"), ("PUT", "/api/bookings/reserve"), ("DELETE", "/api/bookings/reserve"),
        ("POST", "/api/bookings/user/someone"), ("DELETE", "/api/bookings/user/someone"),
        ("POST", "/api/bookings/1"), ("PUT", "/api/bookings/1"), ("PATCH", "/api/bookings/1"),
        ("DELETE", "/api/events"), ("PUT", "/api/events"),
        ("POST", "/api/events/1"), ("DELETE", "/api/events/1"),
        ("POST", "/api/events/1/seats"), ("POST", "/api/events/1/stream"),
        ("POST", "/health"), ("POST", "/health/live"), ("DELETE", "/api/bookings/health"),
    ])
    func wrongMethodIs405InTheEnvelope(method: String, path: String) async throws {
        try await TestServer.withAPI { api in
            let reply = try await api.send(HTTPRequest.Method(method)!, path, headers: [:], body: Array(#"{"user_id":"u"}"#.utf8))
            expectError(reply, 405, "METHOD_NOT_ALLOWED")
        }
    }

    @Test(arguments: ["/health", "/api/bookings/health"])
    func healthIsOkWithEveryCheckUpAndItsLatency(path: String) async throws {
        // Exclusive: a pipeline test stops the broker for a while.
        try await ExclusiveSection.run { try await TestServer.withAPI { api in
            // The RabbitMQ client connects in the background at start-up: allow it a moment.
            var reply = try await api.get(path)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            while reply.json?["status"] != .string("ok"), clock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                reply = try await api.get(path)
            }
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.json?["status"] == .string("ok"), "\(reply)")
            #expect(reply.json?.object.map { Set($0.keys) } == ["status", "checks"], "health is outside the envelope: \(reply)")
            let checks = try #require(reply.json?["checks"]?.object, "\(reply)")
            #expect(Set(checks.keys) == ["postgres", "redis", "rabbitmq"])
            for (name, check) in checks {
                #expect(check["status"] == .string("up"), "\(name): \(reply)")
                let latency = try #require(check["latency_ms"]?.number, "\(name) has latency_ms: \(reply)")
                #expect(latency >= 0 && latency < 1_000, "\(name) latency \(latency)")
                #expect(check["error"] == nil, "\(name): \(reply)")
            }
        } }
    }

    @Test func livenessIsOkAndNothingElse() async throws {
        // Liveness touches no dependency: it answers even with every store unreachable.
        try await TestServer.withAPI(
            databaseURL: TestEnvironment.unreachableDatabaseURL, redisURL: TestEnvironment.unreachableRedisURL
        ) { api in
            let reply = try await api.get("/health/live")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.json == .object(["status": .string("ok")]), "\(reply)")
        }
    }
}
