import BookingAPI
import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer of every request: picks its request id, counts and times it, and writes
/// the access log line when that is on.
///
/// The request id is the client's `X-Request-Id` when that is sane (1 … 128 visible ASCII
/// characters, the rule of `Idempotency-Key`), else the one Hummingbird made up; it goes back in
/// the response's `X-Request-Id` and into the request logger's `hb.request.id` metadata (the
/// key Hummingbird itself uses, so `context.id` agrees and each log line carries one id).
struct RequestTelemetryMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics
    /// One info line per request (`ACCESS_LOG=1`); off, nothing on this path logs at info.
    let accessLog: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        let requestID: String
        if let given = request.headers[.requestID], let sane = try? Validate.idempotencyKey(given) {
            requestID = sane
            context.logger[metadataKey: "hb.request.id"] = .string(sane)
        } else {
            requestID = context.id
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // The envelope middleware answers every error; whatever still escapes is a 500.
            finish(request, context, status: 500, since: start)
            throw error
        }
        response.headers[.requestID] = requestID
        finish(request, context, status: Int(response.status.code), since: start)
        return response
    }

    private func finish(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let route = metrics.record(route: context.endpointPath, status: status, nanoseconds: elapsed.wholeNanoseconds)
        guard accessLog else { return }
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "route": .string(route),
            "status": .stringConvertible(status),
            "duration_ms": .string(elapsed.millisecondsText),
        ])
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}
