import Testing
@testable import AMQP

extension BrokerTests {
    /// Against the real broker: publish with confirms, consume with manual acks.
    @Suite struct PublishConsumeTests {
        @Test func confirmedMessageArrivesIntactAndAckEmptiesTheQueue() async throws {
            let connection = try await Broker.connect(#function)
            let exchange = Broker.unique("ex")
            let queue = Broker.unique("q")
            try await connection.declare(AMQPTopology(
                exchanges: [AMQPExchange(exchange, type: .topic, durable: false, autoDelete: true)],
                // Not auto-delete: stopping the consumer below would delete it before it is counted.
                queues: [AMQPQueue(queue, durable: false)],
                bindings: [AMQPBinding(queue: queue, exchange: exchange, routingKey: "booking.*")]
            ))
            let body = Array(#"{"id":"e1","seat":"Zürich – Reihe 7 🎫"}"#.utf8) + [0, 255]
            try await connection.publish(AMQPMessage(
                exchange: exchange, routingKey: "booking.confirmed", body: body,
                properties: AMQPProperties(messageID: "e1", contentType: "application/json", persistent: true,
                                           headers: ["attempt": 1], timestamp: 1_700_000_000)
            ))
            let collector = DeliveryCollector(try await connection.consume(queue: queue, prefetch: 10))
            let deliveries = try await collector.wait(for: 1)
            #expect(deliveries.count == 1)
            let delivery = try #require(deliveries.first)
            #expect(delivery.body == body)
            #expect(delivery.messageID == "e1")
            #expect(delivery.contentType == "application/json")
            #expect(delivery.properties.persistent)
            #expect(delivery.properties.timestamp == 1_700_000_000)
            #expect(delivery.headers["attempt"]?.int64Value == 1)
            #expect(delivery.routingKey == "booking.confirmed")
            #expect(delivery.exchange == exchange)
            #expect(!delivery.redelivered)
            let acked = await connection.ack(delivery)
            #expect(acked)
            collector.stop()
            // The consumer's channel closes on stop; an unacked message would be back in the queue.
            try await Task.sleep(for: .milliseconds(100))
            let status = try await connection.queueStatus(queue)
            #expect(status.messageCount == 0)
            try await connection.deleteQueue(queue)
            await connection.close()
        }

        @Test func thousandMessagesBatchAllConfirmedAndConsumedExactlyOnce() async throws {
            let connection = try await Broker.connect(#function)
            let queue = Broker.unique("batch")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: true)]))
            let messages = (0..<1000).map { index in
                AMQPMessage(exchange: "", routingKey: queue, body: Array("message \(index)".utf8),
                            properties: AMQPProperties(messageID: "m\(index)"))
            }
            try await connection.publish(messages)
            #expect(try await connection.queueStatus(queue).messageCount == 1000)

            let collector = DeliveryCollector(try await connection.consume(queue: queue, prefetch: 200))
            var seen: [String: Int] = [:]
            let deadline = ContinuousClock.now + .seconds(10)
            var handled = 0
            while handled < 1000, ContinuousClock.now < deadline {
                let deliveries = try await collector.wait(for: handled + 1, timeout: .seconds(2))
                for delivery in deliveries[handled...] {
                    seen[delivery.messageID ?? "?", default: 0] += 1
                    await connection.ack(delivery)
                }
                handled = deliveries.count
            }
            #expect(seen.count == 1000)
            #expect(seen.values.allSatisfy { $0 == 1 }, "a message arrived twice")
            try await Task.sleep(for: .milliseconds(200))
            #expect(collector.deliveries.count == 1000, "no extra deliveries")
            collector.stop()
            await connection.close()
        }

        @Test func prefetchLimitsUnackedDeliveries() async throws {
            let connection = try await Broker.connect(#function)
            let queue = Broker.unique("prefetch")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: true)]))
            try await connection.publish((0..<12).map { AMQPMessage(exchange: "", routingKey: queue, body: [UInt8($0)]) })
            let collector = DeliveryCollector(try await connection.consume(queue: queue, prefetch: 5))
            try await collector.wait(for: 5)
            try await Task.sleep(for: .milliseconds(400))
            #expect(collector.deliveries.count == 5)
            // Acking one lets exactly one more in.
            await connection.ack(collector.deliveries[0])
            try await collector.wait(for: 6)
            try await Task.sleep(for: .milliseconds(300))
            #expect(collector.deliveries.count == 6)
            collector.stop()
            await connection.close()
        }

        @Test func nackAndRejectWithRequeueRedeliver() async throws {
            let connection = try await Broker.connect(#function)
            let queue = Broker.unique("requeue")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: true)]))
            try await connection.publish([
                AMQPMessage(exchange: "", routingKey: queue, body: Array("a".utf8), properties: AMQPProperties(messageID: "a")),
                AMQPMessage(exchange: "", routingKey: queue, body: Array("b".utf8), properties: AMQPProperties(messageID: "b")),
            ])
            let collector = DeliveryCollector(try await connection.consume(queue: queue, prefetch: 2))
            let first = try await collector.wait(for: 2)
            #expect(first.map(\.messageID) == ["a", "b"])
            #expect(first.allSatisfy { !$0.redelivered })
            let nacked = await connection.nack(first[0], requeue: true)
            let rejected = await connection.reject(first[1], requeue: true)
            #expect(nacked && rejected)
            let all = try await collector.wait(for: 4)
            #expect(all.count == 4)
            #expect(Set(all[2...].compactMap(\.messageID)) == ["a", "b"])
            #expect(all[2...].allSatisfy { $0.redelivered })
            for delivery in all[2...] { await connection.ack(delivery) }
            collector.stop()
            await connection.close()
        }

        @Test func rejectedMessageIsDeadLetteredWithXDeath() async throws {
            let connection = try await Broker.connect(#function)
            let dlx = Broker.unique("dlx")
            let dlq = Broker.unique("dlq")
            let queue = Broker.unique("work")
            try await connection.declare(AMQPTopology(
                exchanges: [AMQPExchange(dlx, type: .fanout, durable: false, autoDelete: true)],
                queues: [
                    AMQPQueue(dlq, durable: false, autoDelete: true),
                    AMQPQueue(queue, durable: false, autoDelete: true, arguments: [
                        "x-dead-letter-exchange": .string(dlx), "x-dead-letter-routing-key": "dead",
                    ]),
                ],
                bindings: [AMQPBinding(queue: dlq, exchange: dlx, routingKey: "")]
            ))
            try await connection.publish(AMQPMessage(exchange: "", routingKey: queue, body: Array("poison".utf8),
                                                     properties: AMQPProperties(messageID: "p1")))
            let work = DeliveryCollector(try await connection.consume(queue: queue, prefetch: 1))
            let delivery = try await work.first()
            let rejected = await connection.reject(delivery, requeue: false)
            #expect(rejected)

            let dead = DeliveryCollector(try await connection.consume(queue: dlq, prefetch: 1))
            let deadLettered = try await dead.first()
            #expect(deadLettered.messageID == "p1")
            #expect(deadLettered.body == Array("poison".utf8))
            #expect(deadLettered.routingKey == "dead")
            let death = try #require(deadLettered.headers["x-death"]?.arrayValue?.first?.tableValue, "\(deadLettered.headers)")
            #expect(death["reason"]?.stringValue == "rejected")
            #expect(death["queue"]?.stringValue == queue)
            #expect(death["count"]?.int64Value == 1)
            await connection.ack(deadLettered)
            work.stop()
            dead.stop()
            await connection.close()
        }

        @Test func conflictingQueueArgumentsGive406AndConnectionStaysUsable() async throws {
            let connection = try await Broker.connect(#function)
            let queue = Broker.unique("conflict")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: true, arguments: ["x-message-ttl": 60_000])]))
            do {
                try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: true, arguments: ["x-message-ttl": 1_000])]))
                Issue.record("redeclaring with another x-message-ttl must fail")
            } catch let error as AMQPError {
                #expect(error.kind == .channelClosed)
                #expect(error.replyCode == AMQPError.ReplyCode.preconditionFailed)
                #expect(error.replyText?.contains("PRECONDITION_FAILED") ?? false, "\(error)")
            }
            #expect(connection.isOpen)
            // A new channel: declaring, publishing and counting still work.
            try await connection.publish(AMQPMessage(exchange: "", routingKey: queue, body: [1]))
            #expect(try await connection.queueStatus(queue).messageCount == 1)
            try await connection.deleteQueue(queue)
            await connection.close()
        }

        @Test func missingQueueAndExchangeGive404() async throws {
            let connection = try await Broker.connect(#function)
            do {
                _ = try await connection.queueStatus(Broker.unique("missing"))
                Issue.record("expected 404")
            } catch let error as AMQPError {
                #expect(error.replyCode == AMQPError.ReplyCode.notFound)
            }
            do {
                try await connection.publish(AMQPMessage(exchange: Broker.unique("no-such-exchange"), routingKey: "k", body: [1]))
                Issue.record("expected 404")
            } catch let error as AMQPError {
                #expect(error.kind == .channelClosed)
                #expect(error.replyCode == AMQPError.ReplyCode.notFound)
            }
            // The publisher channel is opened again.
            let queue = Broker.unique("after-404")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: true)]))
            try await connection.publish(AMQPMessage(exchange: "", routingKey: queue, body: [1]))
            #expect(try await connection.queueStatus(queue).messageCount == 1)
            try await connection.deleteQueue(queue)
            await connection.close()
        }

        @Test func unroutableMandatoryMessageAndNackedPublishThrow() async throws {
            let connection = try await Broker.connect(#function)
            let exchange = Broker.unique("nobody-bound")
            let full = Broker.unique("full")
            try await connection.declare(AMQPTopology(
                exchanges: [AMQPExchange(exchange, type: .direct, durable: false, autoDelete: true)],
                queues: [AMQPQueue(full, durable: false, autoDelete: true, arguments: ["x-max-length": 0, "x-overflow": "reject-publish"])]
            ))
            do {
                try await connection.publish(AMQPMessage(exchange: exchange, routingKey: "k", body: [1], mandatory: true))
                Issue.record("an unroutable mandatory message must throw")
            } catch let error as AMQPError {
                #expect(error.kind == .unroutable)
                #expect(error.replyCode == 312)
            }
            // Without mandatory the broker drops it and confirms.
            try await connection.publish(AMQPMessage(exchange: exchange, routingKey: "k", body: [1]))
            do {
                try await connection.publish(AMQPMessage(exchange: "", routingKey: full, body: [1]))
                Issue.record("a publish to a full reject-publish queue must be nacked")
            } catch let error as AMQPError {
                #expect(error.kind == .publishNacked)
            }
            try await connection.deleteQueue(full)
            await connection.close()
        }

        @Test func quorumQueueDeclarePublishConsume() async throws {
            let connection = try await Broker.connect(#function)
            let queue = Broker.unique("quorum")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: true, arguments: ["x-queue-type": "quorum"])]))
            try await connection.publish(AMQPMessage(exchange: "", routingKey: queue, body: Array("q".utf8),
                                                     properties: AMQPProperties(messageID: "q1", persistent: true)))
            let collector = DeliveryCollector(try await connection.consume(queue: queue, prefetch: 1))
            let delivery = try await collector.first()
            #expect(delivery.messageID == "q1")
            #expect(delivery.body == Array("q".utf8))
            await connection.ack(delivery)
            collector.stop()
            try await Task.sleep(for: .milliseconds(100))
            try await connection.deleteQueue(queue)
            await connection.close()
        }

        @Test func cancellingTheConsumingTaskStopsTheConsumerAndRequeues() async throws {
            let connection = try await Broker.connect(#function)
            let queue = Broker.unique("cancel")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: false)]))
            try await connection.publish(AMQPMessage(exchange: "", routingKey: queue, body: [7]))
            let collector = DeliveryCollector(try await connection.consume(queue: queue, prefetch: 1))
            let delivery = try await collector.first()
            #expect(try await connection.queueStatus(queue).consumerCount == 1)
            collector.stop()
            let finished = try await collector.waitUntilFinished()
            #expect(finished)
            try await Task.sleep(for: .milliseconds(100))
            let status = try await connection.queueStatus(queue)
            #expect(status.consumerCount == 0)
            #expect(status.messageCount == 1, "the unacked delivery is back in the queue")
            let acked = await connection.ack(delivery)
            #expect(!acked, "acking after the consumer stopped is a no-op")
            try await connection.deleteQueue(queue)
            await connection.close()
        }

        @Test func closeEndsConsumersAndLaterCallsFailClearly() async throws {
            let connection = try await Broker.connect(#function)
            let queue = Broker.unique("close")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: true)]))
            let collector = DeliveryCollector(try await connection.consume(queue: queue, prefetch: 1))
            await connection.close()
            let finished = try await collector.waitUntilFinished()
            #expect(finished)
            #expect(collector.failure == nil)
            #expect(!connection.isOpen)
            do {
                try await connection.publish(AMQPMessage(exchange: "", routingKey: queue, body: [1]))
                Issue.record("publish after close must throw")
            } catch let error as AMQPError {
                #expect(error.kind == .closed)
            }
        }

        @Test func wrongPasswordIsRefusedWith403() async throws {
            var configuration = try Broker.configuration(#function)
            configuration.password = "wrong"
            do {
                _ = try await AMQPConnection.connect(configuration: configuration, logger: Broker.logger)
                Issue.record("expected a refusal")
            } catch let error as AMQPError {
                #expect(error.kind == .connectFailed)
                #expect(error.replyCode == AMQPError.ReplyCode.accessRefused)
            }
        }

        @Test func noBrokerGivesConnectFailedWithLibraryStatus() async throws {
            var configuration = try Broker.configuration(#function)
            configuration.port = 1
            do {
                _ = try await AMQPConnection.connect(configuration: configuration, logger: Broker.logger)
                Issue.record("nothing listens on port 1")
            } catch let error as AMQPError {
                #expect(error.kind == .connectFailed)
                #expect(error.libraryStatus != nil)
            }
        }

        /// rabbitmq-c sends heartbeats only from inside its calls; the idle connection thread must
        /// keep calling it, or the broker drops the connection after two missed intervals.
        @Test func idleConnectionSurvivesOnHeartbeats() async throws {
            _ = try await Broker.connect(#function)
            var configuration = try Broker.configuration(#function)
            configuration.heartbeatSeconds = 1
            let connection = try await AMQPConnection.connect(configuration: configuration, logger: Broker.logger)
            let queue = Broker.unique("heartbeat")
            try await connection.declare(AMQPTopology(queues: [AMQPQueue(queue, durable: false, autoDelete: true)]))
            try await Task.sleep(for: .milliseconds(3500))
            #expect(connection.isOpen, "\(String(describing: connection.closeReason))")
            try await connection.publish(AMQPMessage(exchange: "", routingKey: queue, body: [1]))
            try await connection.deleteQueue(queue)
            await connection.close()
        }
    }
}
