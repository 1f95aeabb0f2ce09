import BookingAPI
import BookingCore
import Hummingbird
import StrictJSON

/// A failure answered in the API's envelope: `{"success": false, "code": ..., "error": ...}`.
/// Messages are written for clients: never SQL, stack traces or internal host names.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var writer = JSONWriter(reservingCapacity: 96 + message.utf8.count)
        writer.object { body in
            body.field("success", false)
            body.field("code", code)
            body.field("error", message)
        }
        return JSONResponse.make(status: status, bytes: writer.bytes, headers: headers)
    }

    static func invalid(_ error: ValidationError) -> APIError {
        APIError(status: .badRequest, code: "INVALID_REQUEST", message: error.message)
    }

    static func invalid(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "INVALID_REQUEST", message: message)
    }

    /// The answer for each reason credentials make no caller, with the `WWW-Authenticate` of RFC 6750.
    init(_ failure: AuthenticationFailure) {
        switch failure {
        case .missing:
            self.init(
                status: .unauthorized, code: "UNAUTHORIZED", message: "a bearer token is required",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        case .invalid:
            self.init(
                status: .unauthorized, code: "UNAUTHORIZED", message: "the bearer token is invalid or expired",
                headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#]
            )
        case .notAdmin:
            self.init(status: .unauthorized, code: "UNAUTHORIZED", message: "a valid admin bearer token is required")
        }
    }
    static let notFound = APIError(status: .notFound, code: "NOT_FOUND", message: "no such route")
    static let methodNotAllowed = APIError(status: .methodNotAllowed, code: "METHOD_NOT_ALLOWED", message: "this route does not take that method")
    static let payloadTooLarge = APIError(status: .contentTooLarge, code: "PAYLOAD_TOO_LARGE", message: "the request body is over 65536 bytes")
    static let internalError = APIError(status: .internalServerError, code: "INTERNAL", message: "internal error")
    /// The API's answer for each outcome of the booking rules.
    init(_ outcome: ReservationError) {
        switch outcome {
        case .eventNotFound: self.init(status: .notFound, code: "EVENT_NOT_FOUND", message: "no such event")
        case .bookingNotFound: self.init(status: .notFound, code: "BOOKING_NOT_FOUND", message: "no such booking")
        case .seatOutOfRange(let total):
            self.init(status: .badRequest, code: "INVALID_REQUEST", message: "seat_no must be from 1 to \(total) for this event")
        case .alreadyBooked: self.init(status: .conflict, code: "ALREADY_BOOKED", message: "the user already holds a booking for this event")
        case .soldOut: self.init(status: .conflict, code: "SOLD_OUT", message: "no seat is left for this event")
        case .seatTaken: self.init(status: .conflict, code: "SEAT_TAKEN", message: "that seat is held by someone else")
        case .notOwner: self.init(status: .forbidden, code: "NOT_OWNER", message: "the booking belongs to another user")
        case .alreadyCancelled: self.init(status: .conflict, code: "ALREADY_CANCELLED", message: "the booking was cancelled before")
        case .holdExpired: self.init(status: .conflict, code: "HOLD_EXPIRED", message: "the hold's expires_at has passed")
        case .rateLimited(let retryAfter):
            // `Retry-After` in whole seconds, at least 1.
            self.init(
                status: .tooManyRequests, code: "RATE_LIMITED",
                message: "too many reservation attempts for this user; retry after \(retryAfter) s",
                headers: [.retryAfter: String(retryAfter)]
            )
        case .userRequired: self.init(status: .badRequest, code: "INVALID_REQUEST", message: "user_id is required")
        case .forbidden:
            self.init(status: .forbidden, code: "FORBIDDEN", message: "the request names another user than its token does")
        case .idempotencyKeyReused:
            self.init(
                status: .unprocessableContent, code: "IDEMPOTENCY_KEY_REUSED",
                message: "this Idempotency-Key was used for a different request"
            )
        case .storeUnavailable: self.init(status: .serviceUnavailable, code: "UNAVAILABLE", message: "the database is unreachable; nothing was changed")
        case .internalFailure: self.init(status: .internalServerError, code: "INTERNAL", message: "internal error")
        }
    }

    init(status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }
}
