import Hummingbird

/// Every route of the API and the methods it takes (the others answer 405), in one list that
/// the router and the request metrics share.
enum APIRoutes {
    static let all: [(path: String, methods: [HTTPRequest.Method])] = [
        ("/api/bookings/reserve", [.post]),
        ("/api/bookings/hold", [.post]),
        ("/api/bookings/{booking_id}/confirm", [.post]),
        ("/api/bookings/user/{user_id}", [.get]),
        ("/api/bookings/{booking_id}", [.get, .delete]),
        ("/api/events", [.get, .post]),
        ("/api/events/{event_id}", [.get]),
        ("/api/events/{event_id}/seats", [.get]),
        ("/api/events/{event_id}/stream", [.get]),
        ("/health", [.get]),
        ("/api/bookings/health", [.get]),
        ("/health/live", [.get]),
        ("/metrics", [.get]),
        ("/", [.get]),
        ("/page.js", [.get]),
        ("/page.css", [.get]),
        ("/openapi.json", [.get]),
    ]

    /// The paths as the router reports a request's route (its `endpointPath`): the `route`
    /// label of the HTTP metrics.
    static let templates: [String] = all.map { RouterPath($0.path).description }
}
