import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// A request head over `HTTP_MAX_HEAD_BYTES` is answered 431, which says what is wrong; left to
/// Hummingbird, NIOHTTP1's `headerOverflow` becomes a bare 400.
final class HeadTooLargeAnswer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let reporter: TransportReporter
    private var answered = false

    init(reporter: TransportReporter) {
        self.reporter = reporter
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder stops at the first error; it may report it again for the bytes that follow.
        guard !answered else { return }
        answered = true
        TransportAnswer.headTooLarge.send(on: context, reporter: reporter)
    }
}
