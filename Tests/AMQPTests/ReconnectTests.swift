import ConnectionPool
import Testing

@testable import AMQP

extension BrokerTests {
    /// `AMQPClient` against the real broker, including `rabbitmqctl close_all_connections`.
    @Suite struct ReconnectTests {
        @Test func clientReconnectsRedeclaresAndResumesConsumersAfterCloseAllConnections() async throws {
            let exchange = Broker.unique("rc-ex")
            let queue = Broker.unique("rc-q")
            // Auto-delete: it disappears when the connection drops, so only a re-declare brings it back.
            let topology = AMQPTopology(
                exchanges: [AMQPExchange(exchange, type: .direct, durable: false, autoDelete: true)],
                queues: [AMQPQueue(queue, durable: false, autoDelete: true)],
                bindings: [AMQPBinding(queue: queue, exchange: exchange, routingKey: "k")]
            )
            let client = AMQPClient(
                configuration: try Broker.configuration(#function), topology: topology,
                backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(500)),
                connectionWaitTimeout: .seconds(10), logger: Broker.logger
            )
            await client.start()
            let collector = DeliveryCollector(try await client.consume(queue: queue, prefetch: 10))
            try await client.publish(AMQPMessage(exchange: exchange, routingKey: "k", body: [1], properties: AMQPProperties(messageID: "before")))
            let before = try await collector.first()
            #expect(before.messageID == "before")

            try Broker.closeAllConnections()

            // Waits for the reconnect, then publishes on the new connection.
            try await client.publish(AMQPMessage(exchange: exchange, routingKey: "k", body: [2], properties: AMQPProperties(messageID: "after")))
            let deliveries = try await collector.wait(for: 2, timeout: .seconds(10))
            #expect(deliveries.last?.messageID == "after")
            let after = try #require(deliveries.last)
            #expect(!collector.isFinished, "the client's consumer survives the reconnect")
            // Acking the delivery of the dead connection is a harmless no-op, even though the new
            // channel reuses the same delivery tag numbers.
            let staleAck = await client.ack(before)
            #expect(!staleAck)
            let freshAck = await client.ack(after)
            #expect(freshAck)
            #expect(try await client.queueStatus(queue).consumerCount == 1)
            collector.stop()
            await client.close()
        }

        @Test func unackedDeliveryIsRedeliveredAfterReconnect() async throws {
            _ = try await Broker.connect(#function)
            let queue = Broker.unique("rc-redeliver")
            let client = AMQPClient(
                configuration: try Broker.configuration(#function),
                topology: AMQPTopology(queues: [AMQPQueue(queue, durable: true)]),
                backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(500)),
                logger: Broker.logger
            )
            let collector = DeliveryCollector(try await client.consume(queue: queue, prefetch: 1))
            try await client.publish(AMQPMessage(exchange: "", routingKey: queue, body: [9], properties: AMQPProperties(messageID: "r1")))
            try await collector.wait(for: 1)
            try Broker.closeAllConnections()
            let deliveries = try await collector.wait(for: 2, timeout: .seconds(10))
            #expect(deliveries.count == 2)
            #expect(deliveries.last?.messageID == "r1")
            #expect(deliveries.last?.redelivered == true)
            if let last = deliveries.last { await client.ack(last) }
            collector.stop()
            try await client.deleteQueue(queue)
            await client.close()
        }

        @Test func aClientGoesPastADeadBrokerToTheNextOfItsList() async throws {
            let broker = try Broker.configuration(#function)
            var configuration = broker
            // Nothing listens on port 1: the first broker of the list is down.
            configuration.brokers = [AMQPBroker(host: "127.0.0.1", port: 1), AMQPBroker(host: broker.host, port: broker.port)]
            let queue = Broker.unique("brokers")
            // A backoff of a minute: connecting within the wait below shows that the next broker
            // was tried at once, not after a round's wait.
            let client = AMQPClient(
                configuration: configuration, topology: AMQPTopology(queues: [AMQPQueue(queue, durable: false)]),
                backoff: Backoff(initial: .seconds(60), maximum: .seconds(60)),
                connectionWaitTimeout: .seconds(10), logger: Broker.logger
            )
            await client.start()
            try await client.publish(AMQPMessage(exchange: "", routingKey: queue, body: [1], mandatory: true))
            #expect(try await client.queueStatus(queue).messageCount == 1)

            // Dropped by the broker, it reconnects to the same one first.
            try Broker.closeAllConnections()
            try await client.publish(AMQPMessage(exchange: "", routingKey: queue, body: [2], mandatory: true))
            #expect(try await client.queueStatus(queue).messageCount == 2)
            try await client.deleteQueue(queue)
            await client.close()
        }

        /// A publish whose confirms do not come in time drops the connection and fails; the
        /// client connects again and the next publish goes through. (A zero timeout on a batch of
        /// 2,000 stands for confirms that never come: the drop is queued on the connection's
        /// thread while it is still writing the batch, so it runs before any confirm is read.)
        @Test func aPublishWithoutItsConfirmsInTimeDropsTheConnectionAndTheClientRecovers() async throws {
            let configuration = try Broker.configuration(#function)
            let queue = Broker.unique("confirm-timeout")
            let client = AMQPClient(
                configuration: configuration, topology: AMQPTopology(queues: [AMQPQueue(queue, durable: false)]),
                backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(200)),
                connectionWaitTimeout: .seconds(10), logger: Broker.logger
            )
            await client.start()
            let message = AMQPMessage(exchange: "", routingKey: queue, body: [1], mandatory: true)
            try await client.publish([message], confirmWithin: .seconds(10))
            do {
                try await client.publish(Array(repeating: message, count: 2_000), confirmWithin: .zero)
                Issue.record("a publish given no time for its confirms must fail")
            } catch let error as AMQPError {
                #expect(error.kind == .connectionClosed, "\(error)")
            }
            // As after any drop: a publish that still finds the dropped connection fails, and the
            // next one goes out on the new connection.
            var attempts = 0
            while true {
                attempts += 1
                do {
                    try await client.publish([message], confirmWithin: .seconds(10))
                    break
                } catch let error as AMQPError where error.kind == .connectionClosed && attempts < 5 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            // At least once: the aborted batch may or may not have reached the queue, whole or in part.
            let count = try await client.queueStatus(queue).messageCount
            #expect(count >= 2 && count <= 2_002, "\(count)")
            try await client.deleteQueue(queue)
            await client.close()
        }

        /// A nacked publish drops the connection (the broker may keep nacking on that channel)
        /// and is thrown as a nack. Seen through an exclusive queue of the client's connection,
        /// which the broker deletes when that connection closes (another connection gets 404 for
        /// it then, 405 RESOURCE_LOCKED while it lives).
        @Test func aNackedPublishDropsTheConnection() async throws {
            let configuration = try Broker.configuration(#function)
            let full = Broker.unique("nacking")
            let marker = Broker.unique("marker")
            let client = AMQPClient(
                configuration: configuration,
                topology: AMQPTopology(queues: [AMQPQueue(full, durable: false, arguments: ["x-max-length": .int64(0), "x-overflow": .string("reject-publish")])]),
                backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(200)),
                connectionWaitTimeout: .seconds(10), logger: Broker.logger
            )
            await client.start()
            try await client.declare(AMQPTopology(queues: [AMQPQueue(marker, durable: false, exclusive: true)]))
            let other = try await Broker.connect(#function)
            do {
                try await client.publish([AMQPMessage(exchange: "", routingKey: full, body: [1])], confirmWithin: .seconds(10))
                Issue.record("a publish to a full reject-publish queue must be nacked")
            } catch let error as AMQPError {
                #expect(error.kind == .publishNacked, "\(error)")
            }
            var gone = false
            var last = ""
            for _ in 0..<50 where !gone {
                do {
                    _ = try await other.queueStatus(marker)
                    Issue.record("an exclusive queue of another connection cannot be inspected")
                    break
                } catch let error as AMQPError where "\(error)".contains("404 NOT_FOUND") {
                    gone = true
                } catch {
                    last = "\(error)"
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(gone, "the client's connection (and its exclusive queue) outlived the nack: \(last)")
            try await other.deleteQueue(full)
            await other.close()
            await client.close()
        }

        @Test func publishWhileDisconnectedFailsAfterTheWaitTimeout() async throws {
            var configuration = try Broker.configuration(#function)
            configuration.port = 1  // nothing listens: the client keeps retrying
            let client = AMQPClient(configuration: configuration, connectionWaitTimeout: .milliseconds(300), logger: Broker.logger)
            let start = ContinuousClock.now
            do {
                try await client.publish(AMQPMessage(exchange: "", routingKey: "x", body: [1]))
                Issue.record("publish must fail without a broker")
            } catch let error as AMQPError {
                #expect(error.kind == .notConnected)
            }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(250))
            #expect(elapsed < .seconds(3))

            let failFast = AMQPClient(configuration: configuration, connectionWaitTimeout: .zero, logger: Broker.logger)
            do {
                try await failFast.publish(AMQPMessage(exchange: "", routingKey: "x", body: [1]))
                Issue.record("publish must fail at once")
            } catch let error as AMQPError {
                #expect(error.kind == .notConnected)
            }
            await client.close()
            await failFast.close()
        }
    }
}
