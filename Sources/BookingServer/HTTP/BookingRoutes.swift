import BookingAPI
import BookingCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/bookings/...`: reserve, list by user, get and cancel. Each route parses, makes one
/// call into the booking rules, and renders; a failure is thrown and answered by the error's
/// own response (``APIError``).
struct BookingRoutes: Sendable {
    let service: BookingService
    /// Who a request's bearer credentials make (both identity modes).
    let authenticator: any Authenticator

    /// Bodies above this are refused with 413 (chunked ones too), before anything else is read.
    static let maximumBody = 65_536

    func add(to router: Router<some RequestContext>) {
        router.post("/api/bookings/reserve") { request, context in try await reserve(request, context) }
        router.post("/api/bookings/hold") { request, context in try await hold(request, context) }
        router.post("/api/bookings/{booking_id}/confirm") { request, context in try await confirm(request, context) }
        router.get("/api/bookings/user/{user_id}") { request, context in try await list(request, context) }
        router.get("/api/bookings/{booking_id}") { request, context in try await get(request, context) }
        router.delete("/api/bookings/{booking_id}") { request, context in try await cancel(request, context) }
    }

    func reserve(_ request: Request, _ context: some RequestContext) async throws -> Response {
        try await book(request, hold: false)
    }

    /// The first step of a checkout: a reserve whose booking ends unless confirmed.
    func hold(_ request: Request, _ context: some RequestContext) async throws -> Response {
        try await book(request, hold: true)
    }

    private func book(_ request: Request, hold: Bool) async throws -> Response {
        let body = try await Self.body(of: request)
        let caller = try await authenticator.caller(bearer: BearerCredentials.of(request))
        let reservation = hold ? try ReserveRequest(holdBody: body.readableBytesView) : try ReserveRequest(body: body.readableBytesView)
        let key = try request.headers[.idempotencyKey].map { value throws(ValidationError) in try Validate.idempotencyKey(value) }
        let booking = try await service.reserve(ReservationRequest(
            hold ? .hold(seconds: reservation.holdSeconds) : .reserve,
            eventID: reservation.eventID, userID: reservation.userID, seatNumber: reservation.seatNumber.map(Int.init),
            idempotencyKey: key
        ), by: caller)
        return JSONResponse.success(.created) { object in object.objectField("booking") { JSONResponse.write(booking, to: &$0) } }
    }

    /// A hold becomes a confirmed booking (its user named as for a cancel).
    func confirm(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let body = try await Self.body(of: request)
        let caller = try await authenticator.caller(bearer: BearerCredentials.of(request))
        let id = try Self.pathID(context, "booking_id")
        let queryUserID = try Self.queryItems(request).singleValue(named: "user_id")
        let confirmation = try CancelRequest(body: body.readableBytesView, queryUserID: queryUserID)
        let booking = try await service.confirm(bookingID: id, userID: confirmation.userID, by: caller)
        return JSONResponse.success { object in object.objectField("booking") { JSONResponse.write(booking, to: &$0) } }
    }

    func list(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let caller = try await authenticator.caller(bearer: BearerCredentials.of(request))
        guard let raw = context.parameters.get("user_id"), let decoded = URLDecoding.pathSegment(raw[...]) else {
            throw ValidationError(field: "user_id", message: "user_id in the path has a malformed percent-escape")
        }
        let userID = try Validate.userID(decoded)
        let query = try BookingListQuery(query: try Self.queryItems(request))
        let page = try await service.bookings(
            userID: userID, status: query.status.bookingStatus, limit: query.page.limit, after: query.page.cursor?.position,
            by: caller
        )
        return JSONResponse.page("bookings", page, JSONResponse.write)
    }

    func get(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let caller = try await authenticator.caller(bearer: BearerCredentials.of(request))
        let id = try Self.pathID(context, "booking_id")
        let booking = try await service.booking(id: id, by: caller)
        return JSONResponse.success { object in object.objectField("booking") { JSONResponse.write(booking, to: &$0) } }
    }

    func cancel(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let body = try await Self.body(of: request)
        let caller = try await authenticator.caller(bearer: BearerCredentials.of(request))
        let id = try Self.pathID(context, "booking_id")
        let queryUserID = try Self.queryItems(request).singleValue(named: "user_id")
        let cancellation = try CancelRequest(body: body.readableBytesView, queryUserID: queryUserID)
        let booking = try await service.cancel(bookingID: id, userID: cancellation.userID, by: caller)
        return JSONResponse.success { object in object.objectField("booking") { JSONResponse.write(booking, to: &$0) } }
    }

    // MARK: - Request parts

    static func body(of request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: maximumBody)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge
        }
    }

    static func pathID(_ context: some RequestContext, _ name: String) throws -> Int64 {
        try Validate.pathID(context.parameters.get(name)?[...] ?? "", field: name)
    }

    static func queryItems(_ request: Request) throws(ValidationError) -> [QueryItem] {
        guard let raw = request.uri.query, !raw.isEmpty else { return [] }
        guard let items = URLDecoding.queryItems(raw[...]) else { throw .malformedQuery }
        return items
    }
}

extension BookingStatusFilter {
    var bookingStatus: Booking.Status? {
        switch self {
        case .all: nil
        case .held: .held
        case .confirmed: .confirmed
        case .cancelled: .cancelled
        case .expired: .expired
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}
