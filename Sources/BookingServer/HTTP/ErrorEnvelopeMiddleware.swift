import Hummingbird
import Logging

/// Puts every failure in the API's envelope: the router's own 404s, Hummingbird's HTTP errors,
/// and anything unexpected (500 INTERNAL, logged here, never shown to the client).
struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            // Hummingbird's own (the router's 404, a body too large): its response is not ours.
            let translated: APIError = switch error.status {
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .contentTooLarge: .payloadTooLarge
            case .badRequest: .invalid(error.body ?? "malformed request")
            default: APIError(status: error.status, code: error.status.code >= 500 ? "INTERNAL" : "INVALID_REQUEST",
                              message: error.status.reasonPhrase)
            }
            return try translated.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            // Ours: APIError, ReservationError, ValidationError, each rendering its envelope.
            return try error.response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return try APIError.internalError.response(from: request, context: context)
        }
    }
}

extension Router {
    /// Answers 405 for the methods a route does not take, instead of the router's 404.
    func refuseOtherMethods(_ path: RouterPath, allowing allowed: [HTTPRequest.Method]) {
        let all: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options]
        for method in all where !allowed.contains(method) {
            on(path, method: method) { _, _ -> Response in throw APIError.methodNotAllowed }
        }
    }
}
