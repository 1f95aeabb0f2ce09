import CRabbitMQ
import Logging

/// Consumers, each on a channel of its own so that its prefetch (basic.qos) is its own and a
/// broker error on it leaves the others running.
extension WireConnection {
    func startConsumer(_ sink: ConsumerSink) throws(AMQPError) {
        let state = try requireState()
        let identity = try openChannel()
        let channel = identity.number
        _ = amqp_basic_qos(state, channel, 0, sink.prefetch, 0)
        try checkReply("basic.qos", channel: channel)
        let pool = ScratchPool()
        let ok = amqp_basic_consume(
            state, channel, pool.bytes(sink.queue), amqp_bytes_t(len: 0, bytes: nil),
            0, 0, 0, amqp_table_t(num_entries: 0, entries: nil)
        )
        try checkReply("basic.consume '\(sink.queue)'", channel: channel)
        let tag = ok.map { String(amqpBytes: $0.pointee.consumer_tag) } ?? ""
        consumers[channel] = ConsumerChannel(identity: identity, sink: sink, consumerTag: tag)
        logger.debug("amqp consumer started", metadata: [
            "amqp.queue": "\(sink.queue)", "amqp.channel": "\(channel)", "amqp.prefetch": "\(sink.prefetch)",
        ])
    }

    /// Stops a consumer by closing its channel: the broker requeues what it had not acknowledged.
    func stopConsumer(id: UInt64) {
        guard let (channel, consumer) = consumers.first(where: { $0.value.sink.id == id }) else { return }
        consumers[channel] = nil
        consumer.sink.continuation.finish()
        closeChannel(channel)
        logger.debug("amqp consumer stopped", metadata: ["amqp.queue": "\(consumer.sink.queue)", "amqp.channel": "\(channel)"])
    }

    enum Settlement {
        case ack
        /// This delivery and every earlier one of its channel not yet settled.
        case ackThrough
        case nack(requeue: Bool)
        case reject(requeue: Bool)
    }

    /// Acks, nacks or rejects on the channel that delivered; false (and nothing sent) when that
    /// channel is gone, because its delivery tags mean nothing on any other channel.
    func settle(_ delivery: AMQPDelivery, _ settlement: Settlement) -> Bool {
        let channel = delivery.channel.number
        guard let state, isOpen, consumers[channel]?.identity == delivery.channel else {
            logger.debug("amqp ignoring settlement of a delivery from a closed channel", metadata: [
                "amqp.delivery_tag": "\(delivery.deliveryTag)", "amqp.channel": "\(channel)",
            ])
            return false
        }
        let status: Int32
        switch settlement {
        case .ack: status = amqp_basic_ack(state, channel, delivery.deliveryTag, 0)
        case .ackThrough: status = amqp_basic_ack(state, channel, delivery.deliveryTag, 1)
        case .nack(let requeue): status = amqp_basic_nack(state, channel, delivery.deliveryTag, 0, requeue ? 1 : 0)
        case .reject(let requeue): status = amqp_basic_reject(state, channel, delivery.deliveryTag, requeue ? 1 : 0)
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            fail(Self.libraryError(.connectionClosed, status, "acknowledging a delivery failed"))
            return false
        }
        return true
    }
}
