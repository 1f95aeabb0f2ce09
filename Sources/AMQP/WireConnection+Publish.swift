import CRabbitMQ

/// Publishing with publisher confirms: every message of a batch is sent first, then the caller
/// waits (without holding the thread) until the broker has confirmed the last one.
extension WireConnection {
    func publish(_ messages: [AMQPMessage], completion: @escaping (Result<Void, AMQPError>) -> Void) {
        let state: amqp_connection_state_t
        let publisher: PublisherChannel
        do {
            state = try requireState()
            publisher = try publisherChannel()
        } catch {
            completion(.failure(error))
            return
        }
        let batch = publisher.confirms.startBatch(count: messages.count)
        publisher.wait(for: batch.id, completion)
        for message in messages {
            let pool = ScratchPool()
            var properties = BasicProperties.encode(message.properties, in: pool)
            let status = message.body.withUnsafeBytes { body in
                amqp_basic_publish(
                    state, publisher.identity.number, pool.bytes(message.exchange), pool.bytes(message.routingKey),
                    message.mandatory ? 1 : 0, 0, &properties,
                    amqp_bytes_t(len: body.count, bytes: body.count == 0 ? nil : UnsafeMutableRawPointer(mutating: body.baseAddress))
                )
            }
            guard status == AMQP_STATUS_OK.rawValue else {
                // The socket is broken; failing the connection fails this batch's waiter too.
                fail(Self.libraryError(.connectionClosed, status, "basic.publish failed"))
                return
            }
        }
    }

    /// The confirm-mode channel, opened (channel.open + confirm.select) on first use.
    private func publisherChannel() throws(AMQPError) -> PublisherChannel {
        if let publisher { return publisher }
        let state = try requireState()
        let identity = try openChannel()
        _ = amqp_confirm_select(state, identity.number)
        try checkReply("confirm.select", channel: identity.number)
        let channel = PublisherChannel(identity: identity)
        publisher = channel
        return channel
    }
}
