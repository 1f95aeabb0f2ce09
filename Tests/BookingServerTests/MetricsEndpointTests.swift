import BookingCore
import BookingCoreDoubles
@testable import BookingServer
import Telemetry
import Testing

/// `GET /metrics` after a few requests: the counters docs/api.md names, with the right labels and
/// values. Each test's server has an exporter of its own, so other tests' requests never count.
@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    let metrics = ServerMetrics(routes: APIRoutes.templates)
    var options: TestServer.Options {
        var options = TestServer.Options()
        options.metrics = metrics
        return options
    }

    @Test func requestsAreCountedByRouteTemplateAndStatus() async throws {
        let user = TestEnvironment.uniqueUser("metrics")
        try await TestServer.withAPI(options: options) { api in
            let event = try await api.createEvent(seats: 1)
            let booking = try #require(try await api.reserve(event: event, user: user).bookingID)
            _ = try await api.reserve(event: event, user: user)
            _ = try await api.reserve(event: event, user: TestEnvironment.uniqueUser("metrics"))
            _ = try await api.get("/api/bookings/\(booking)")
            _ = try await api.get("/api/bookings/999999999999")
            _ = try await api.get("/no/such/route/\(user)")

            let reply = try await api.get("/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/plain; version=0.0.4")
            let text = PrometheusText(reply.text)

            let reserve = "/api/bookings/reserve", byID = "/api/bookings/{booking_id}"
            #expect(text.value("http_requests_total", ["route": reserve, "status": "201"]) == 1)
            #expect(text.value("http_requests_total", ["route": reserve, "status": "409"]) == 2)
            #expect(text.value("http_requests_total", ["route": byID, "status": "200"]) == 1)
            #expect(text.value("http_requests_total", ["route": byID, "status": "404"]) == 1)
            #expect(text.value("http_requests_total", ["route": "/api/events", "status": "201"]) == 1)
            #expect(text.value("http_requests_total", ["route": "unmatched", "status": "404"]) == 1, "\(text.series(named: "http_requests_total"))")
            // Never the raw path: no label holds a booking id or the user's id.
            for sample in text.series(named: "http_requests_total") {
                #expect(!sample.labels["route", default: ""].contains(String(booking)))
                #expect(!sample.labels["route", default: ""].contains(user))
            }
            #expect(text.value("http_request_duration_seconds_count", ["route": reserve]) == 3)
            #expect(text.value("http_request_duration_seconds_bucket", ["route": reserve, "le": "+Inf"]) == 3)

            #expect(text.value("booking_reservations_total", ["outcome": "created"]) == 1)
            #expect(text.value("booking_reservations_total", ["outcome": "already_booked"]) == 1)
            #expect(text.value("booking_reservations_total", ["outcome": "sold_out"]) == 1)
            #expect(text.value("booking_reservations_total", ["outcome": "rate_limited"]) == 0)
            #expect(text.value("booking_lock_contention_total") == 0)
            #expect(text.value("booking_cache_bypass_total") == 0)
            // The one booking the store wrote, as a group of one; the refusals never reached it.
            #expect(text.value("booking_store_groups_total", ["write": "insert"]) == 1)
            #expect(text.value("booking_store_group_items_total", ["write": "insert"]) == 1)
            #expect(text.value("booking_store_groups_total", ["write": "confirm"]) == 0)
            #expect(text.value("booking_store_groups_total", ["write": "cancel"]) == 0)
        }
    }

    @Test func storesAndOutboxAreReportedAtScrapeTime() async throws {
        try await TestServer.withAPI(options: options) { api in
            let event = try await api.createEvent(seats: 3)
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser("metrics")).status == 201)
            let text = PrometheusText(try await api.get("/metrics").text)

            #expect(text.value("redis_shared_connections") ?? 0 >= 1)
            for pool in ["postgres"] {
                let acquisitions = try #require(text.value("connection_pool_acquisitions_total", ["pool": pool]), "\(pool)")
                #expect(acquisitions >= 1, "\(pool)")
                #expect(text.value("connection_pool_connections", ["pool": pool, "state": "in_use"]) != nil, "\(pool)")
                #expect(text.value("connection_pool_connections", ["pool": pool, "state": "idle"]) != nil, "\(pool)")
                #expect(text.value("connection_pool_waiting", ["pool": pool]) != nil, "\(pool)")
                #expect(text.value("connection_pool_acquire_waits_total", ["pool": pool]) != nil, "\(pool)")
                #expect(text.value("connection_pool_acquire_wait_seconds_total", ["pool": pool]) != nil, "\(pool)")
                #expect(text.value("connection_pool_acquire_timeouts_total", ["pool": pool]) == 0, "\(pool)")
            }
            // Relays of other tests may have sent this booking's row already: only its presence is sure.
            let backlog = try #require(text.value("booking_outbox_backlog"))
            #expect(backlog >= 0)
            #expect(text.value("booking_messages_published_total") == 0)
        }
    }

    @Test func aRateLimitedAttemptIsCountedAsSuch() async throws {
        var options = self.options
        options.rateLimitPerUser = 1
        let clock = ManualClock()
        options.rateLimitClock = clock.read
        let user = TestEnvironment.uniqueUser("metrics")
        try await TestServer.withAPI(options: options) { api in
            let event = try await api.createEvent(seats: 3)
            #expect(try await api.reserve(event: event, user: user).status == 201)
            #expect(try await api.reserve(event: event, user: user).status == 429)
            let text = PrometheusText(try await api.get("/metrics").text)
            #expect(text.value("booking_reservations_total", ["outcome": "rate_limited"]) == 1)
            #expect(text.value("http_requests_total", ["route": "/api/bookings/reserve", "status": "429"]) == 1)
        }
    }
}
