import NIOCore
import NIOHTTPTypes

/// The connection cap. Hummingbird's `availableConnectionsDelegate` only stops accepting, which
/// leaves the next clients hanging in the kernel's backlog; here every connection is accepted and
/// counted, and one over the cap is answered 503 at once and closed: a clear answer, never a hang.
final class ConnectionGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let count: ConnectionCount
    private let limit: Int
    private let reporter: TransportReporter
    private var counted = false
    private var refused = false
    private var answered = false

    init(count: ConnectionCount, limit: Int, reporter: TransportReporter) {
        self.count = count
        self.limit = limit
        self.reporter = reporter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        refused = !count.admit(limit: limit)
        // Usually added before the channel is active; answered in channelActive then.
        if refused, context.channel.isActive { refuse(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if counted { count.release() }
        counted = false
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if refused { refuse(context: context) }
    }

    /// A refused connection's request goes no further: it is answered already.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !refused { context.fireChannelRead(data) }
    }

    private func refuse(context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        TransportAnswer.overloaded.send(on: context, reporter: reporter)
    }
}
