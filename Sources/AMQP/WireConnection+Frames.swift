#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRabbitMQ
import Logging

/// Reading what the broker sends on its own: deliveries, confirms, returns, cancels, closes.
extension WireConnection {
    /// Handles every frame that can be read without blocking. Each call into rabbitmq-c also
    /// lets it send a heartbeat that is due, and notice a broker silent for two intervals.
    func readAvailableFrames() {
        // Bounded so that queued jobs (acks, publishes) are not starved by a steady inflow.
        var budget = 256
        while isOpen, let state, budget > 0 {
            budget -= 1
            var frame = amqp_frame_t()
            // 1 µs rather than 0: with a zero timeout rabbitmq-c skips its heartbeat-timeout check.
            var timeout = timeval(tv_sec: 0, tv_usec: 1)
            let status = amqp_simple_wait_frame_noblock(state, &frame, &timeout)
            if status == AMQP_STATUS_TIMEOUT.rawValue { break }
            guard status == AMQP_STATUS_OK.rawValue else {
                fail(Self.libraryError(.connectionClosed, status, "connection to \(configuration.host):\(configuration.port) lost"))
                return
            }
            dispatch(frame)
            // Per channel: the global release would also recycle the memory of frames rabbitmq-c
            // queued for other channels while it waited for an RPC reply or a message body.
            if let state = self.state { amqp_maybe_release_buffers_on_channel(state, frame.channel) }
        }
    }

    private func dispatch(_ frame: amqp_frame_t) {
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else {
            logger.debug("amqp ignoring a stray frame", metadata: ["amqp.frame_type": "\(frame.frame_type)", "amqp.channel": "\(frame.channel)"])
            return
        }
        let method = frame.payload.method
        let channel = frame.channel
        switch method.id {
        case AMQP_BASIC_DELIVER_METHOD:
            let deliver = method.decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            handleDeliver(deliver, channel: channel)
        case AMQP_BASIC_ACK_METHOD:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            guard let publisher, publisher.identity.number == channel else { return }
            publisher.settle(publisher.confirms.ack(tag: ack.delivery_tag, multiple: ack.multiple != 0))
        case AMQP_BASIC_NACK_METHOD:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            guard let publisher, publisher.identity.number == channel else { return }
            publisher.settle(publisher.confirms.nack(tag: nack.delivery_tag, multiple: nack.multiple != 0))
        case AMQP_BASIC_RETURN_METHOD:
            let returned = method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            let (code, text) = (returned.reply_code, String(amqpBytes: returned.reply_text))
            let (exchange, routingKey) = (String(amqpBytes: returned.exchange), String(amqpBytes: returned.routing_key))
            guard readContent(channel: channel) != nil else { return }
            publisher?.confirms.returned(replyCode: code, replyText: text, exchange: exchange, routingKey: routingKey)
        case AMQP_BASIC_CANCEL_METHOD:
            // Sent by RabbitMQ (consumer_cancel_notify) when the queue is deleted, for example.
            if let consumer = consumers.removeValue(forKey: channel) {
                logger.notice("amqp consumer cancelled by broker", metadata: ["amqp.queue": "\(consumer.sink.queue)"])
                consumer.sink.finish(throwing: AMQPError(.consumerCancelled, message: "the broker cancelled the consumer of queue '\(consumer.sink.queue)'"))
                closeChannel(channel)
            }
        case AMQP_CHANNEL_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            channelClosedByBroker(channel, AMQPError(
                .channelClosed,
                message: "the broker closed channel \(channel)",
                replyCode: close.reply_code,
                replyText: String(amqpBytes: close.reply_text)
            ))
        case AMQP_CONNECTION_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            connectionClosedByBroker(close, during: "normal operation")
        case AMQP_CONNECTION_BLOCKED_METHOD, AMQP_CONNECTION_UNBLOCKED_METHOD:
            logger.notice("amqp connection flow control", metadata: ["amqp.blocked": "\(method.id == AMQP_CONNECTION_BLOCKED_METHOD)"])
        default:
            logger.debug("amqp ignoring a method", metadata: ["amqp.method": "\(String(cString: amqp_method_name(method.id)))"])
        }
    }

    private func handleDeliver(_ deliver: amqp_basic_deliver_t, channel: UInt16) {
        // Copied before reading the content: rabbitmq-c may reuse the frame's memory.
        let tag = deliver.delivery_tag
        let redelivered = deliver.redelivered != 0
        let exchange = String(amqpBytes: deliver.exchange)
        let routingKey = String(amqpBytes: deliver.routing_key)
        guard let (body, properties) = readContent(channel: channel) else { return }
        guard let consumer = consumers[channel] else {
            // In flight while its consumer was being cancelled: hand it straight back.
            if let state, openChannels[channel] != nil { _ = amqp_basic_reject(state, channel, tag, 1) }
            return
        }
        consumer.sink.continuation.yield(AMQPDelivery(
            body: body,
            exchange: exchange,
            routingKey: routingKey,
            deliveryTag: tag,
            redelivered: redelivered,
            properties: properties,
            channel: consumer.identity
        ))
    }

    /// Reads the content header and body frames that follow a basic.deliver or basic.return.
    private func readContent(channel: UInt16) -> ([UInt8], AMQPProperties)? {
        guard let state else { return nil }
        var message = amqp_message_t()
        let reply = amqp_read_message(state, channel, &message, 0)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            fail(Self.libraryError(.connectionClosed, reply.library_error, "reading a message body failed"))
            return nil
        }
        defer { amqp_destroy_message(&message) }
        return ([UInt8](amqpBytes: message.body), BasicProperties.decode(message.properties))
    }
}
