import CoreMetrics
import Synchronization

/// `http_requests_total{route,status}` and `http_request_duration_seconds{route}` (histogram).
///
/// `route` is the router's path template (`/api/bookings/{booking_id}`), never the raw path, and
/// `unmatched` for every request no announced route took (Hummingbird reports those as
/// `NotFound`): the series stay few whatever clients send. Handles are made once: each route's
/// at start-up, in a table read without a lock, and each status's the first time a route answers
/// it, under that route's own lock.
final class HTTPMetrics: Sendable {
    static let unmatchedRoute = "unmatched"

    private let routes: [String: RouteMetrics]
    private let unmatched: RouteMetrics

    init(factory: any MetricsFactory, routes: [String]) {
        self.routes = Dictionary(routes.map { ($0, RouteMetrics(route: $0, factory: factory)) }) { first, _ in first }
        self.unmatched = RouteMetrics(route: Self.unmatchedRoute, factory: factory)
    }

    /// Counts and times one request; returns its `route` label.
    @discardableResult
    func record(route: String?, status: Int, nanoseconds: Int64) -> String {
        let metrics = route.flatMap { routes[$0] } ?? unmatched
        metrics.requests(status: status).increment()
        metrics.duration.recordNanoseconds(nanoseconds)
        return metrics.route
    }

    /// One route's handles.
    private final class RouteMetrics: Sendable {
        let route: String
        let factory: any MetricsFactory
        let duration: Timer
        private let byStatus = Mutex<[Int: Counter]>([:])

        init(route: String, factory: any MetricsFactory) {
            self.route = route
            self.factory = factory
            duration = Timer(label: "http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
        }

        func requests(status: Int) -> Counter {
            byStatus.withLock { counters in
                if let counter = counters[status] { return counter }
                let counter = Counter(
                    label: "http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory
                )
                counters[status] = counter
                return counter
            }
        }
    }
}
