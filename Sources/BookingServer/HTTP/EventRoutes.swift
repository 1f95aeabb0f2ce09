import BookingAPI
import BookingCore
import Hummingbird

/// `/api/events`: public reads, and creation for the admin (Bearer `ADMIN_TOKEN`, or in the
/// token mode a JWT with the `booking-admin` role).
struct EventRoutes: Sendable {
    let service: BookingService
    let authenticator: any Authenticator

    func add(to router: Router<some RequestContext>) {
        router.post("/api/events") { request, context in try await create(request, context) }
        router.get("/api/events") { request, context in try await list(request, context) }
        router.get("/api/events/{event_id}") { request, context in try await get(request, context) }
    }

    func create(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let body = try await BookingRoutes.body(of: request)
        try await authenticator.caller(bearer: BearerCredentials.of(request)).requireAdmin()
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
}
