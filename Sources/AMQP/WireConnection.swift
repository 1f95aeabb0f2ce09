#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRabbitMQ
import Logging
import Synchronization

/// One rabbitmq-c connection and its channels. Confined to its `ConnectionThread`: every
/// method runs there, so nothing here is locked. It is the only type that holds C pointers.
final class WireConnection {
    let configuration: AMQPConfiguration
    var logger: Logger
    private(set) var state: amqp_connection_state_t?
    private(set) var socketDescriptor: Int32 = -1
    /// Why the connection ended; nil while it is open.
    private(set) var closeReason: AMQPError?
    var tuning = ConnectionTuning(channelMax: 0, frameMax: 0, heartbeat: 0)

    var openChannels: [UInt16: ChannelIdentity] = [:]
    private var lastChannelNumber: UInt16 = 0
    var topologyChannel: ChannelIdentity?
    var publisher: PublisherChannel?
    var consumers: [UInt16: ConsumerChannel] = [:]

    /// Told once, on this thread, when the connection ends (explicit close or loss).
    private let onClose: (AMQPError) -> Void

    private static let channelTokens = Atomic<UInt64>(0)

    var isOpen: Bool { closeReason == nil }

    /// Poll interval while idle: short enough that rabbitmq-c sends heartbeats on time (it only
    /// sends them from inside its own calls) and notices a silent broker.
    var idleTickMilliseconds: Int32 {
        tuning.heartbeat == 0 ? 1000 : Int32(min(1000, Int(tuning.heartbeat) * 250))
    }

    /// Connects and logs in; throws `AMQPError.Kind.connectFailed` with the library status or
    /// the broker's reply (e.g. 403 ACCESS_REFUSED, 530 NOT_ALLOWED for an unknown vhost).
    init(configuration: AMQPConfiguration, logger: Logger, onClose: @escaping (AMQPError) -> Void) throws(AMQPError) {
        self.configuration = configuration
        self.logger = logger
        self.onClose = onClose
        guard let state = amqp_new_connection() else {
            throw AMQPError(.connectFailed, message: "amqp_new_connection failed (out of memory)")
        }
        self.state = state
        do {
            try openSocket(state)
            try Login(connection: self, state: state).run()
            socketDescriptor = amqp_get_sockfd(state)
            // A broker that stops answering must not block the thread (and all its jobs) forever.
            var rpcTimeout = timeval(configuration.rpcTimeout)
            amqp_set_rpc_timeout(state, &rpcTimeout)
        } catch {
            amqp_destroy_connection(state)
            self.state = nil
            closeReason = error
            throw error
        }
        logger.info("amqp connected", metadata: [
            "amqp.heartbeat": "\(tuning.heartbeat)", "amqp.frame_max": "\(tuning.frameMax)",
            "amqp.channel_max": "\(tuning.channelMax)",
        ])
    }

    private func openSocket(_ state: amqp_connection_state_t) throws(AMQPError) {
        guard let socket = amqp_tcp_socket_new(state) else {
            throw AMQPError(.connectFailed, message: "amqp_tcp_socket_new failed")
        }
        var timeout = timeval(configuration.connectTimeout)
        let status = amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &timeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw Self.libraryError(
                .connectFailed, status,
                "cannot connect to \(configuration.host):\(configuration.port)"
            )
        }
    }

    // MARK: Closing

    /// Closes gracefully (connection.close), failing whatever still waits with `error`.
    func close(reason error: AMQPError) {
        guard let state, isOpen else { return }
        closeReason = error
        settleEverything(with: error)
        let reply = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
        if reply.reply_type != AMQP_RESPONSE_NORMAL {
            logger.debug("amqp connection.close was not acknowledged", metadata: ["amqp.reply_type": "\(reply.reply_type.rawValue)"])
        }
        destroy()
        logger.info("amqp connection closed")
        onClose(error)
    }

    /// The connection is unusable (socket error, heartbeat timeout, broker's connection.close).
    func fail(_ error: AMQPError) {
        guard isOpen else { return }
        closeReason = error
        logger.warning("amqp connection lost", metadata: ["amqp.error": "\(error)"])
        settleEverything(with: error)
        destroy()
        onClose(error)
    }

    private func destroy() {
        if let state { amqp_destroy_connection(state) }
        state = nil
        socketDescriptor = -1
        openChannels.removeAll()
        topologyChannel = nil
    }

    private func settleEverything(with error: AMQPError) {
        if let publisher {
            self.publisher = nil
            publisher.fail(error)
        }
        let consumers = self.consumers
        self.consumers.removeAll()
        for consumer in consumers.values { consumer.sink.connectionEnded(error) }
    }

    // MARK: Channels

    /// Opens a channel with a number not used recently, so frames still queued for a channel
    /// that just closed cannot be mistaken for frames of its successor.
    func openChannel() throws(AMQPError) -> ChannelIdentity {
        let state = try requireState()
        let limit = tuning.channelMax == 0 ? UInt16.max : tuning.channelMax
        var number = lastChannelNumber
        repeat {
            number = number >= limit ? 1 : number + 1
        } while openChannels[number] != nil && number != lastChannelNumber
        guard openChannels[number] == nil else {
            throw AMQPError(.channelClosed, message: "all \(limit) channels are in use")
        }
        lastChannelNumber = number
        _ = amqp_channel_open(state, number)
        try checkReply("channel.open", channel: number)
        let identity = ChannelIdentity(number: number, token: Self.channelTokens.add(1, ordering: .relaxed).newValue)
        openChannels[number] = identity
        return identity
    }

    /// Closes one of our channels (its unacknowledged deliveries go back to their queue).
    func closeChannel(_ number: UInt16) {
        guard let state, openChannels.removeValue(forKey: number) != nil else { return }
        let reply = amqp_channel_close(state, number, Int32(AMQP_REPLY_SUCCESS))
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION || reply.reply_type == AMQP_RESPONSE_NONE {
            fail(Self.libraryError(.connectionClosed, reply.library_error, "channel.close failed"))
        }
    }

    /// The broker closed a channel: acknowledge, and fail whoever used it.
    func channelClosedByBroker(_ number: UInt16, _ error: AMQPError) {
        if let state {
            var closeOK = amqp_channel_close_ok_t()
            let status = amqp_send_method(state, number, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOK)
            if status != AMQP_STATUS_OK.rawValue {
                fail(Self.libraryError(.connectionClosed, status, "sending channel.close-ok failed"))
                return
            }
        }
        openChannels[number] = nil
        amqp_maybe_release_buffers_on_channel(state, number)
        logger.notice("amqp channel closed by broker", metadata: ["amqp.channel": "\(number)", "amqp.error": "\(error)"])
        if topologyChannel?.number == number { topologyChannel = nil }
        if let publisher, publisher.identity.number == number {
            self.publisher = nil
            publisher.fail(error)
        }
        if let consumer = consumers.removeValue(forKey: number) {
            consumer.sink.finish(throwing: error)
        }
    }

    // MARK: Errors

    func requireState() throws(AMQPError) -> amqp_connection_state_t {
        guard let state, isOpen else {
            throw closeReason ?? AMQPError(.closed, message: "the connection is closed")
        }
        return state
    }

    /// Turns the last RPC reply into an error: a channel.close closes just that channel, a
    /// connection.close or a library error ends the connection.
    func checkReply(_ operation: String, channel: UInt16) throws(AMQPError) {
        guard let state else { throw closeReason ?? AMQPError(.closed, message: "the connection is closed") }
        let reply = amqp_get_rpc_reply(state)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let error = AMQPError(
                .channelClosed,
                message: "\(operation) failed: the broker closed channel \(channel)",
                replyCode: close.reply_code,
                replyText: String(amqpBytes: close.reply_text)
            )
            channelClosedByBroker(channel, error)
            throw error
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let error = connectionClosedByBroker(close, during: operation)
            throw error
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            let error = AMQPError(.connectionClosed, message: "\(operation) failed: unexpected method \(reply.reply.id)")
            fail(error)
            throw error
        default:
            let error = Self.libraryError(.connectionClosed, reply.library_error, "\(operation) failed")
            fail(error)
            throw error
        }
    }

    /// Answers the broker's connection.close with close-ok and ends the connection.
    @discardableResult
    func connectionClosedByBroker(_ close: amqp_connection_close_t, during operation: String) -> AMQPError {
        let error = AMQPError(
            .connectionClosed,
            message: "the broker closed the connection (during \(operation))",
            replyCode: close.reply_code,
            replyText: String(amqpBytes: close.reply_text)
        )
        if let state {
            var closeOK = amqp_connection_close_ok_t()
            _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOK)
        }
        fail(error)
        return error
    }

    static func libraryError(_ kind: AMQPError.Kind, _ status: Int32, _ context: String) -> AMQPError {
        let text = amqp_error_string2(status).map { String(cString: $0) } ?? "unknown status"
        return AMQPError(kind, message: "\(context): \(text)", libraryStatus: status)
    }
}

extension timeval {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
