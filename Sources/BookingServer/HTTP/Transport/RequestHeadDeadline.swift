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
    private let reporter: TransportReporter
    private var context: ChannelHandlerContext?
    /// The one timer of the connection; it is not re-armed around every request (a schedule and a
    /// cancel per request cost the flash sale about 7 %), it checks `headStarted` when it fires.
    private var timer: Scheduled<Void>?
    /// When the bytes of a head not yet complete began to arrive; nil while none is pending.
    private var headStarted: NIODeadline?
    /// Requests whose head arrived and whose answer has not ended.
    private var inProgress = 0
    private var expired = false

    init(timeout: TimeAmount, reporter: TransportReporter) {
        self.timeout = timeout
        self.reporter = reporter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            try context.pipeline.syncOperations.addHandler(RequestBytesWatcher(deadline: self), position: .first)
        } catch {
            context.close(promise: nil)
            return
        }
        headStarted = .now()
        schedule(at: headStarted! + timeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inProgress += 1
            headStarted = nil
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
        guard inProgress == 0, headStarted == nil else { return }
        let now = NIODeadline.now()
        headStarted = now
        if timer == nil { schedule(at: now + timeout) }
    }

    private func schedule(at deadline: NIODeadline) {
        guard let context, !expired else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            fire()
        }
    }

    /// The timer's check: the pending head's deadline has passed (408), is still ahead (wait for
    /// it), or no head is pending (stop until the next one starts).
    private func fire() {
        guard let started = headStarted, inProgress == 0 else { return }
        let deadline = started + timeout
        guard NIODeadline.now() >= deadline else {
            schedule(at: deadline)
            return
        }
        expire()
    }

    private func expire() {
        guard let context, inProgress == 0, !expired else { return }
        expired = true
        TransportAnswer.headTimeout.send(on: context, reporter: reporter)
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
