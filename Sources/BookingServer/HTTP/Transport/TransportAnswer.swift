import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes
import StrictJSON

/// An answer the transport gives on its own, before or instead of the router: in the API's
/// envelope, with an `X-Request-Id` of its own (made as Hummingbird makes the router's), always
/// with `Connection: close`, since the connection ends after it. Counted and logged by
/// ``TransportMetrics``.
struct TransportAnswer {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var extraHeaders: HTTPFields = [:]

    static let overloaded = TransportAnswer(
        status: .serviceUnavailable, code: "UNAVAILABLE",
        message: "the server is at its connection limit; retry shortly", extraHeaders: [.retryAfter: "1"]
    )
    static let headTimeout = TransportAnswer(
        status: .requestTimeout, code: "REQUEST_TIMEOUT", message: "the request head did not arrive in time"
    )
    static let headTooLarge = TransportAnswer(
        status: .requestHeaderFieldsTooLarge, code: "HEADERS_TOO_LARGE", message: "the request head is too large"
    )

    var body: [UInt8] {
        var writer = JSONWriter(reservingCapacity: 96 + message.utf8.count)
        writer.object { body in
            body.field("success", false)
            body.field("code", code)
            body.field("error", message)
        }
        return writer.bytes
    }

    /// How long a closing connection still reads (and drops) what the client sends after the
    /// answer: closing with unread bytes resets the connection, and a reset can destroy the
    /// answer before the client reads it.
    static let linger = TimeAmount.seconds(1)

    /// Writes the answer, stops writing, and closes after `linger` (or when the client closes).
    /// `context` is a handler's between HTTP1ToHTTPServerCodec and Hummingbird's.
    func send(on context: ChannelHandlerContext, reporter: TransportReporter) {
        let requestID = RequestID().description
        reporter.record(self, requestID: requestID)
        let bytes = body
        var fields = extraHeaders
        fields[.requestID] = requestID
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(bytes.count)
        fields[.connection] = "close"
        context.write(NIOAny(HTTPResponsePart.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(NIOAny(HTTPResponsePart.body(context.channel.allocator.buffer(bytes: bytes))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: Self.linger) { channel.close(promise: nil) }
        }
    }
}
