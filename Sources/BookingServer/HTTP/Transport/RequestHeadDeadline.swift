import NIOCore
import NIOHTTPTypes

/// A request head must be complete within `HTTP_HEAD_TIMEOUT_MS` of the connection's opening, or
/// of the first byte after the previous answer; a connection that misses it gets 408 and is
/// closed. Hummingbird's own idle timeout restarts at every parsed part and never sees a head that
/// trickles in byte by byte, so without this a slow client holds its connection for as long as it
/// likes.
///
/// Sits after HTTP1ToHTTPServerCodec to see heads and answers; the bytes that start a head are seen
/// by `RequestBytesWatcher`, which it puts in front of the HTTP decoder. A keep-alive connection
/// waiting with nothing sent is left to the idle timeout. Not covered: the part of a pipelined
/// head that arrived before the previous answer ended (the idle timeout bounds it).
final class RequestHeadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    /// Requests whose head arrived and whose answer has not ended.
    private var inProgress = 0
    private var expired = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            try context.pipeline.syncOperations.addHandler(RequestBytesWatcher(deadline: self), position: .first)
        } catch {
            context.close(promise: nil)
            return
        }
        arm()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inProgress += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The next deadline starts with the next request's first byte (`bytesArrived`).
        if case .end = unwrapOutboundIn(data), inProgress > 0 { inProgress -= 1 }
        context.write(data, promise: promise)
    }

    /// Called by the watcher before the HTTP decoder sees `bytes`: if no request is in progress,
    /// these bytes start a head, and its deadline.
    func bytesArrived() {
        if inProgress == 0, timer == nil { arm() }
    }

    private func arm() {
        guard let context, !expired else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            timer = nil
            expire()
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    private func expire() {
        guard let context, inProgress == 0, !expired else { return }
        expired = true
        TransportAnswer.headTimeout.send(on: context)
    }
}

/// The raw bytes a client sends, before the HTTP decoder: a deadline must start when a head
/// starts, and the decoder says nothing until a head is complete.
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// A cycle through the deadline's context until the channel closes, when the deadline lets it go.
    private let deadline: RequestHeadDeadline

    init(deadline: RequestHeadDeadline) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline.bytesArrived()
        context.fireChannelRead(data)
    }
}
