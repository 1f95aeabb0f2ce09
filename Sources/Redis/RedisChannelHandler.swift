import Logging
import NIOCore

/// The I/O side of one connection: writes encoded commands, feeds incoming bytes to the decoder,
/// and answers waiting callers in order. Lives on the channel's event loop; every method runs there.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Waiter {
        case single(EventLoopPromise<RedisValue>)
        case pipeline(EventLoopPromise<[RedisValue]>)

        func fail(_ error: any Error) {
            switch self {
            case .single(let promise): promise.fail(error)
            case .pipeline(let promise): promise.fail(error)
            }
        }
    }

    private let health: ConnectionHealth
    private let commandTimeout: TimeAmount
    private let logger: Logger
    private let encoder = HiredisCommandEncoder()
    private let decoder = HiredisReplyDecoder()
    private var waiting = ReplyQueue<Waiter>()
    private var context: ChannelHandlerContext?
    /// One timer per connection, armed for the oldest command's deadline, rather than one per
    /// command: commands answered in time cost no timer.
    private var timer: Scheduled<Void>?
    /// Set once the connection is broken or closed; later commands fail at once, unsent.
    private var closedError: RedisError?
    /// A flush is queued on the event loop for the commands written since the last one.
    private var flushScheduled = false

    init(health: ConnectionHealth, commandTimeout: TimeAmount, logger: Logger) {
        self.health = health
        self.commandTimeout = commandTimeout
        self.logger = logger
    }

    // MARK: Commands from the connection

    func send(_ command: RedisCommand, promise: EventLoopPromise<RedisValue>) {
        write(.single(promise), pipelineLength: nil) { encoder, buffer in
            try encoder.encode(command, into: &buffer)
        }
    }

    func send(_ commands: [RedisCommand], promise: EventLoopPromise<[RedisValue]>) {
        write(.pipeline(promise), pipelineLength: commands.count) { encoder, buffer in
            for command in commands { try encoder.encode(command, into: &buffer) }
        }
    }

    private func write(
        _ waiter: Waiter,
        pipelineLength: Int?,
        encode: (HiredisCommandEncoder, inout ByteBuffer) throws -> Void
    ) {
        guard let context, closedError == nil else {
            waiter.fail(RedisError.closedBeforeSend)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 0)
        do {
            try encode(encoder, &buffer)
        } catch {
            waiter.fail(error)
            return
        }
        let deadline = NIODeadline.now() + commandTimeout
        if let pipelineLength {
            waiting.append(waiter, pipelineLength: pipelineLength, deadline: deadline)
        } else {
            waiting.append(waiter, deadline: deadline)
        }
        armTimer(context)
        context.write(wrapOutboundOut(buffer), promise: nil)
        scheduleFlush(context)
    }

    /// Commands from other threads reach the event loop as queued tasks. The first one queues the
    /// flush behind itself, so every command queued before the flush runs leaves in the same write.
    private func scheduleFlush(_ context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            self.context?.flush()
        }
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        shutDown(.connectionClosed("(its channel handler was removed)"), close: nil)
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        shutDown(.connectionClosed("before the reply came"), close: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        shutDown(.connectionClosed("after an I/O error: \(error)"), close: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { try decoder.feed($0) }
            while closedError == nil, let value = try decoder.next() {
                try deliver(value)
            }
        } catch let error as RedisError {
            shutDown(error, close: context)
        } catch {
            shutDown(.protocolError("\(error)"), close: context)
        }
    }

    private func deliver(_ value: RedisValue) throws {
        switch waiting.receive(value) {
        case .incomplete:
            break
        case .one(.single(let promise), let value):
            promise.succeed(value)
        case .all(.pipeline(let promise), let values):
            promise.succeed(values)
        // `write` queues single commands and pipelines with their matching shape, so the two
        // mixed cases cannot occur; they are answered sensibly rather than trapping.
        case .one(.pipeline(let promise), let value):
            promise.succeed([value])
        case .all(.single(let promise), let values):
            promise.succeed(values.first ?? .null)
        case .unexpected(let value):
            throw RedisError.protocolError("a reply (\(value)) arrived with no command waiting for it")
        }
    }

    // MARK: Timeout and shutdown

    private func armTimer(_ context: ChannelHandlerContext) {
        guard timer == nil, let deadline = waiting.oldestDeadline else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerFired()
        }
    }

    private func timerFired() {
        guard let context, let deadline = waiting.oldestDeadline else { return }
        if deadline <= .now() {
            shutDown(.timeout(after: .nanoseconds(commandTimeout.nanoseconds)), close: context)
        } else {
            // The command this timer was armed for has been answered; watch the next one.
            armTimer(context)
        }
    }

    /// Marks the connection broken, fails every waiting caller with `error`, and closes the
    /// channel: once a command has no reply, the replies that follow cannot be matched.
    private func shutDown(_ error: RedisError, close context: ChannelHandlerContext?) {
        if closedError == nil {
            closedError = error
            let metadata: Logger.Metadata = ["redis.error": "\(error)", "redis.waiting": "\(waiting.count)"]
            if error.code == .connectionClosed {
                logger.debug("Redis connection closed", metadata: metadata)
            } else {
                logger.warning("Redis connection broken; closing it", metadata: metadata)
            }
        }
        health.markUnusable()
        timer?.cancel()
        timer = nil
        for waiter in waiting.removeAll() { waiter.fail(error) }
        context?.close(promise: nil)
    }
}
