import CRabbitMQ

/// Declarations, on a channel of their own so that a refused declaration (406, 404) closes only
/// that channel, never the publisher's or a consumer's.
extension WireConnection {
    private func topologyChannelNumber() throws(AMQPError) -> UInt16 {
        if let topologyChannel { return topologyChannel.number }
        let identity = try openChannel()
        topologyChannel = identity
        return identity.number
    }

    func declare(_ topology: AMQPTopology) throws(AMQPError) {
        for exchange in topology.exchanges { try declare(exchange) }
        for queue in topology.queues { try declare(queue) }
        for binding in topology.bindings { try bind(binding) }
    }

    func declare(_ exchange: AMQPExchange) throws(AMQPError) {
        let state = try requireState()
        let channel = try topologyChannelNumber()
        let pool = ScratchPool()
        _ = amqp_exchange_declare(
            state, channel, pool.bytes(exchange.name), pool.bytes(exchange.type.rawValue),
            0, exchange.durable ? 1 : 0, exchange.autoDelete ? 1 : 0, 0,
            FieldTableCoding.encode(exchange.arguments, in: pool)
        )
        try checkReply("exchange.declare '\(exchange.name)'", channel: channel)
    }

    func declare(_ queue: AMQPQueue) throws(AMQPError) {
        let state = try requireState()
        let channel = try topologyChannelNumber()
        let pool = ScratchPool()
        _ = amqp_queue_declare(
            state, channel, pool.bytes(queue.name), 0, queue.durable ? 1 : 0,
            queue.exclusive ? 1 : 0, queue.autoDelete ? 1 : 0,
            FieldTableCoding.encode(queue.arguments, in: pool)
        )
        try checkReply("queue.declare '\(queue.name)'", channel: channel)
    }

    func bind(_ binding: AMQPBinding) throws(AMQPError) {
        let state = try requireState()
        let channel = try topologyChannelNumber()
        let pool = ScratchPool()
        _ = amqp_queue_bind(
            state, channel, pool.bytes(binding.queue), pool.bytes(binding.exchange),
            pool.bytes(binding.routingKey), FieldTableCoding.encode(binding.arguments, in: pool)
        )
        try checkReply("queue.bind '\(binding.queue)' to '\(binding.exchange)'", channel: channel)
    }

    /// A passive declare: the queue's counts, or 404 NOT_FOUND.
    func queueStatus(_ name: String) throws(AMQPError) -> AMQPQueueStatus {
        let state = try requireState()
        let channel = try topologyChannelNumber()
        let pool = ScratchPool()
        let ok = amqp_queue_declare(state, channel, pool.bytes(name), 1, 0, 0, 0, amqp_table_t(num_entries: 0, entries: nil))
        try checkReply("queue.declare (passive) '\(name)'", channel: channel)
        guard let ok else { throw AMQPError(.channelClosed, message: "queue.declare-ok missing") }
        return AMQPQueueStatus(messageCount: ok.pointee.message_count, consumerCount: ok.pointee.consumer_count)
    }

    func deleteQueue(_ name: String) throws(AMQPError) {
        let state = try requireState()
        let channel = try topologyChannelNumber()
        let pool = ScratchPool()
        _ = amqp_queue_delete(state, channel, pool.bytes(name), 0, 0)
        try checkReply("queue.delete '\(name)'", channel: channel)
    }

    func deleteExchange(_ name: String) throws(AMQPError) {
        let state = try requireState()
        let channel = try topologyChannelNumber()
        let pool = ScratchPool()
        _ = amqp_exchange_delete(state, channel, pool.bytes(name), 0)
        try checkReply("exchange.delete '\(name)'", channel: channel)
    }
}
