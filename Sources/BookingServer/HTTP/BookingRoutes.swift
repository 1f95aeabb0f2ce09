import BookingAPI
import BookingCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/bookings/...`: reserve, list by user, get and cancel.
struct BookingRoutes: Sendable {
    let service: BookingService
    let idempotency: IdempotencyStore
    /// Nil when `RATE_LIMIT_PER_USER` is 0.
    var rateLimiter: UserRateLimiter?
    /// Counts the reservations the rate limiter refused (the service counts the others).
    var reservations: ReservationMetrics?

    /// Bodies above this are refused with 413 (chunked ones too), before anything else is read.
    static let maximumBody = 65_536

    func add(to router: Router<some RequestContext>) {
        router.post("/api/bookings/reserve") { request, context in try await reserve(request, context) }
        router.get("/api/bookings/user/{user_id}") { request, context in try await list(request, context) }
        router.get("/api/bookings/{booking_id}") { request, context in try await get(request, context) }
        router.delete("/api/bookings/{booking_id}") { request, context in try await cancel(request, context) }
    }

    func reserve(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let body = try await Self.body(of: request)
        let reservation = try ReserveRequest(body: body.readableBytesView)
        let key = try request.headers[.idempotencyKey].map { value throws(ValidationError) in try Validate.idempotencyKey(value) }
        // After every 400 (the user id is in the body), before any store is asked: a refused
        // attempt costs no round trip, claims no Idempotency-Key and books nothing. A replay of a
        // stored answer counts too: telling it apart would take the PostgreSQL round trip the
        // limit is there to spare.
        if let retryAfter = rateLimiter?.admit(reservation.userID) {
            reservations?.count(.rateLimited)
            throw APIError.rateLimited(retryAfterSeconds: retryAfter)
        }
        guard let key else { return try await reserveOnce(reservation).response }

        switch try await claim(key, for: reservation) {
        case .replay(let status, let body):
            return JSONResponse.make(status: HTTPResponse.Status(code: status), bytes: Array(body.utf8))
        case .mismatch:
            throw APIError.idempotencyKeyReused
        case .proceed:
            break
        }
        let answer: (status: HTTPResponse.Status, bytes: [UInt8], response: Response)
        do {
            answer = try await reserveOnce(reservation)
        } catch {
            // Only final answers are kept: after this, a retry is a fresh attempt.
            try? await idempotency.release(userID: reservation.userID, key: key)
            throw error
        }
        if answer.status == .created || answer.status == .conflict {
            try? await idempotency.complete(
                userID: reservation.userID, key: key, status: answer.status.code,
                body: String(decoding: answer.bytes, as: UTF8.self)
            )
        } else {
            try? await idempotency.release(userID: reservation.userID, key: key)
        }
        return answer.response
    }

    private func claim(_ key: String, for reservation: ReserveRequest) async throws -> IdempotencyStore.Claim {
        try await idempotency.claim(userID: reservation.userID, key: key, fingerprint: reservation.fingerprint.text)
    }

    /// The reservation's answer, as status, bytes (kept for idempotent retries) and response.
    private func reserveOnce(
        _ reservation: ReserveRequest
    ) async throws -> (status: HTTPResponse.Status, bytes: [UInt8], response: Response) {
        do {
            let booking = try await service.reserve(
                eventID: reservation.eventID, userID: reservation.userID, seatNumber: reservation.seatNumber.map(Int.init)
            )
            var writer = JSONWriter(reservingCapacity: 256)
            writer.object { object in
                object.field("success", true)
                object.objectField("booking") { JSONResponse.write(booking, to: &$0) }
            }
            return (.created, writer.bytes, JSONResponse.make(status: .created, bytes: writer.bytes))
        } catch {
            let failure = APIError(error)
            var writer = JSONWriter(reservingCapacity: 128)
            writer.object { object in
                object.field("success", false)
                object.field("code", failure.code)
                object.field("error", failure.message)
            }
            return (failure.status, writer.bytes, JSONResponse.make(status: failure.status, bytes: writer.bytes))
        }
    }

    func list(_ request: Request, _ context: some RequestContext) async throws -> Response {
        guard let raw = context.parameters.get("user_id"), let decoded = URLDecoding.pathSegment(raw[...]) else {
            throw ValidationError(field: "user_id", message: "user_id in the path has a malformed percent-escape")
        }
        let userID = try Validate.userID(decoded)
        let query = try BookingListQuery(query: try Self.queryItems(request))
        let page = try await service.bookings(
            userID: userID, status: query.status.bookingStatus, limit: query.page.limit, after: query.page.cursor?.position
        )
        return JSONResponse.page("bookings", page, JSONResponse.write)
    }

    func get(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try Self.pathID(context, "booking_id")
        let booking = try await service.booking(id: id)
        return JSONResponse.success { object in object.objectField("booking") { JSONResponse.write(booking, to: &$0) } }
    }

    func cancel(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let body = try await Self.body(of: request)
        let id = try Self.pathID(context, "booking_id")
        let queryUserID = try Self.queryItems(request).singleValue(named: "user_id")
        let cancellation = try CancelRequest(body: body.readableBytesView, queryUserID: queryUserID)
        let booking = try await service.cancel(bookingID: id, userID: cancellation.userID)
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
        case .confirmed: .confirmed
        case .cancelled: .cancelled
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}
