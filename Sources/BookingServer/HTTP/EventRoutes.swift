import BookingAPI
import BookingCore
import Hummingbird

/// `/api/events`: public reads, and creation for the admin (Bearer `ADMIN_TOKEN`).
struct EventRoutes: Sendable {
    let service: BookingService
    /// Nil: no admin token configured, so creation is refused for everyone.
    let adminToken: String?

    func add(to router: Router<some RequestContext>) {
        router.post("/api/events") { request, context in try await create(request, context) }
        router.get("/api/events") { request, context in try await list(request, context) }
        router.get("/api/events/{event_id}") { request, context in try await get(request, context) }
    }

    func create(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let body = try await BookingRoutes.body(of: request)
        guard isAdmin(request) else { throw APIError.unauthorized }
        let creation = try CreateEventRequest(body: body.readableBytesView)
        let event = try await service.createEvent(name: creation.name, totalSeats: creation.totalSeats)
        return JSONResponse.success(.created) { object in object.objectField("event") { JSONResponse.write(event, to: &$0) } }
    }

    func list(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let page = try PageRequest(query: try BookingRoutes.queryItems(request))
        let events = try await service.events(limit: page.limit, after: page.cursor?.position)
        return JSONResponse.page("events", events, JSONResponse.write)
    }

    func get(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try BookingRoutes.pathID(context, "event_id")
        let event = try await service.event(id: id)
        return JSONResponse.success { object in object.objectField("event") { JSONResponse.write(event, to: &$0) } }
    }

    /// `Authorization: Bearer <token>`, the scheme in any case, compared in constant time.
    private func isAdmin(_ request: Request) -> Bool {
        guard let expected = adminToken, let header = request.headers[.authorization] else { return false }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let given = Array(parts[1].utf8)
        let wanted = Array(expected.utf8)
        guard given.count == wanted.count else { return false }
        return zip(given, wanted).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
