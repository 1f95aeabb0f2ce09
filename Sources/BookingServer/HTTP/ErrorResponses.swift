import BookingAPI
import BookingCore
import Hummingbird

// The domain's and the wire format's errors know their answer, so routes just throw them.

extension ReservationError: HTTPResponseError {
    public var status: HTTPResponse.Status { APIError(self).status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(self).response(from: request, context: context)
    }
}

extension ValidationError: HTTPResponseError {
    public var status: HTTPResponse.Status { .badRequest }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError.invalid(self).response(from: request, context: context)
    }
}

extension AuthenticationFailure: HTTPResponseError {
    public var status: HTTPResponse.Status { APIError(self).status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(self).response(from: request, context: context)
    }
}
