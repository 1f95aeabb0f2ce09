#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRabbitMQ

/// The AMQP handshake (header, start/start-ok, tune/tune-ok, open), done here rather than with
/// rabbitmq-c's `amqp_login_with_properties`, which is variadic and so cannot be called from Swift.
/// It follows that function step by step, adding our client properties (`connection_name`).
struct Login {
    let connection: WireConnection
    let state: amqp_connection_state_t

    private var configuration: AMQPConfiguration { connection.configuration }

    func run() throws(AMQPError) {
        var timeout = timeval(configuration.connectTimeout)
        amqp_set_handshake_timeout(state, &timeout)

        try check(amqp_send_header(state), "sending the protocol header")
        let start = try waitForMethod([AMQP_CONNECTION_START_METHOD])
        let startArguments = start.decoded.assumingMemoryBound(to: amqp_connection_start_t.self).pointee
        guard startArguments.version_major == 0, startArguments.version_minor == 9 else {
            throw AMQPError(.connectFailed, message: "the broker speaks AMQP \(startArguments.version_major)-\(startArguments.version_minor), not 0-9-1")
        }

        let pool = ScratchPool()
        var startOK = amqp_connection_start_ok_t(
            client_properties: FieldTableCoding.encode(clientProperties, in: pool),
            mechanism: pool.bytes("PLAIN"),
            response: pool.bytes([0] + Array(configuration.username.utf8) + [0] + Array(configuration.password.utf8)),
            locale: pool.bytes("en_US")
        )
        try check(amqp_send_method(state, 0, AMQP_CONNECTION_START_OK_METHOD, &startOK), "sending connection.start-ok")
        amqp_release_buffers(state)

        let tuneOrClose = try waitForMethod([AMQP_CONNECTION_TUNE_METHOD, AMQP_CONNECTION_CLOSE_METHOD])
        if tuneOrClose.id == AMQP_CONNECTION_CLOSE_METHOD {
            // With authentication_failure_close the broker says why (403 ACCESS_REFUSED).
            throw refused(tuneOrClose)
        }
        let tune = tuneOrClose.decoded.assumingMemoryBound(to: amqp_connection_tune_t.self).pointee
        let tuning = ConnectionTuning.negotiate(
            client: ConnectionTuning(channelMax: 0, frameMax: configuration.frameMax, heartbeat: configuration.heartbeatSeconds),
            server: ConnectionTuning(channelMax: tune.channel_max, frameMax: tune.frame_max, heartbeat: tune.heartbeat)
        )
        try check(
            amqp_tune_connection(state, Int32(tuning.channelMax), Int32(tuning.frameMax), Int32(tuning.heartbeat)),
            "tuning the connection"
        )
        connection.tuning = tuning
        var tuneOK = amqp_connection_tune_ok_t(channel_max: tuning.channelMax, frame_max: tuning.frameMax, heartbeat: tuning.heartbeat)
        try check(amqp_send_method(state, 0, AMQP_CONNECTION_TUNE_OK_METHOD, &tuneOK), "sending connection.tune-ok")
        amqp_release_buffers(state)

        var open = amqp_connection_open_t(virtual_host: pool.bytes(configuration.virtualHost), capabilities: amqp_bytes_t(len: 0, bytes: nil), insist: 1)
        var replies: [amqp_method_number_t] = [AMQP_CONNECTION_OPEN_OK_METHOD, 0]
        let reply = amqp_simple_rpc(state, 0, AMQP_CONNECTION_OPEN_METHOD, &replies, &open)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            amqp_maybe_release_buffers(state)
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD:
            throw refused(reply.reply)
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            throw AMQPError(.connectFailed, message: "connection.open answered with method \(reply.reply.id)")
        default:
            throw WireConnection.libraryError(.connectFailed, reply.library_error, "connection.open failed")
        }
    }

    private var clientProperties: [String: AMQPFieldValue] {
        [
            "product": "swift-amqp (rabbitmq-c)",
            "platform": "Swift",
            "connection_name": .string(configuration.connectionName),
            "capabilities": .table([
                "authentication_failure_close": true,
                "publisher_confirms": true,
                "basic.nack": true,
                "consumer_cancel_notify": true,
                "exchange_exchange_bindings": true,
            ]),
        ]
    }

    private func waitForMethod(_ expected: [amqp_method_number_t]) throws(AMQPError) -> amqp_method_t {
        var frame = amqp_frame_t()
        var timeout = timeval(configuration.connectTimeout)
        try check(amqp_simple_wait_frame_noblock(state, &frame, &timeout), "waiting for the broker during the handshake")
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD), frame.channel == 0,
              expected.contains(frame.payload.method.id)
        else {
            throw AMQPError(.connectFailed, message: "unexpected frame during the handshake (type \(frame.frame_type), method \(frame.payload.method.id))")
        }
        return frame.payload.method
    }

    private func refused(_ method: amqp_method_t) -> AMQPError {
        let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
        var closeOK = amqp_connection_close_ok_t()
        _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOK)
        return AMQPError(
            .connectFailed,
            message: "the broker refused the connection",
            replyCode: close.reply_code,
            replyText: String(amqpBytes: close.reply_text)
        )
    }

    private func check(_ status: Int32, _ what: String) throws(AMQPError) {
        guard status == AMQP_STATUS_OK.rawValue else {
            throw WireConnection.libraryError(.connectFailed, status, what)
        }
    }
}
