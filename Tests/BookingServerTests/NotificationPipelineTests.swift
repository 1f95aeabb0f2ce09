import AMQP
import Foundation
import Testing

@testable import BookingServer
@testable import QueueWorker

/// Reservations through the outbox, the relay and RabbitMQ to the QueueWorker's notifications,
/// on the real services. Each test has a worker and queues of its own, and runs inside the
/// exclusive section: the relay drains the shared outbox, and one test stops the broker (the
/// whole node: every other test that needs RabbitMQ runs in the exclusive section too, or only
/// lets its client reconnect in the background).
@Suite("Notification pipeline")
struct NotificationPipelineTests {
    @Test func reserveThenCancelRecordExactlyTwoNotificationsInOrder() async throws {
        try await ExclusiveSection.run {
            try await TestWorker.with { worker in
                let user = TestEnvironment.uniqueUser("pipeline")
                let (event, bookingID) = try await TestServer.withAPI { api in
                    let event = try await api.createEvent(seats: 3)
                    let reserved = try await api.reserve(event: event, user: user)
                    let id = try #require(reserved.bookingID, "\(reserved)")
                    let cancelled = try await api.cancel(booking: id, user: user)
                    #expect(cancelled.status == 200, "\(cancelled)")
                    return (event, id)
                }
                try await Relays.drain(count: 1)
                let notifications = try await Notifications.wait(event: event, count: 2)
                #expect(notifications.map(\.type) == ["booking.confirmed", "booking.cancelled"])
                #expect(notifications.map(\.bookingID) == [bookingID, bookingID])
                #expect(Set(notifications.map(\.messageID)).count == 2)
                #expect(notifications.allSatisfy { $0.webhook == "off" })
                #expect(worker.statistics[.duplicate] == 0)
            }
        }
    }

    @Test func reservationsSucceedWhileRabbitMQIsStoppedAndTheOutboxDrainsOnceItIsBack() async throws {
        try await ExclusiveSection.run {
            try await TestWorker.with { worker in
                try await TestServer.withRelayingLiveAPI { api in
                    let event = try await api.createEvent(seats: 500)
                    try LocalBroker.stopApp()
                    let statuses: [Int]
                    do {
                        statuses = try await reserveMany(500, at: 32) { index in
                            try await api.reserve(event: event, user: "broker-away-\(event)-\(index)").status
                        }
                    } catch {
                        try LocalBroker.startApp()
                        throw error
                    }
                    let waiting = try await Notifications.unsentOutboxRows(event: event)
                    try LocalBroker.startApp()

                    #expect(statuses.count == 500 && statuses.allSatisfy { $0 == 201 }, "\(Dictionary(grouping: statuses) { $0 }.mapValues(\.count))")
                    #expect(waiting == 500, "with the broker stopped, every message waits in the outbox")
                    try await eventually(within: .seconds(60), "an empty outbox for event \(event)") {
                        try await Notifications.unsentOutboxRows(event: event) == 0
                    }
                    let notifications = try await Notifications.wait(event: event, count: 500, within: .seconds(60))
                    #expect(notifications.count == 500)
                    #expect(Set(notifications.map(\.bookingID)).count == 500)
                    #expect(worker.statistics[.duplicate] == 0)
                }
            }
        }
    }

    @Test func aWorkerKilledMidStreamAndStartedAgainRecordsEachOfAThousandMessagesOnce() async throws {
        try await ExclusiveSection.run {
            try await TestSchema.ensureMigrated()
            var topology = NotificationTopology()
            topology.queue = TestQueues.uniqueName()
            // Declared first, so that the stream waits in the queue for the worker.
            try await TestQueues.declare(topology)
            do {
                let event = try await TestServer.withAPI { api in
                    let event = try await api.createEvent(seats: 1_000)
                    let statuses = try await reserveMany(1_000, at: 16) { index in
                        try await api.reserve(event: event, user: "stream-\(event)-\(index)").status
                    }
                    #expect(statuses.count == 1_000 && statuses.allSatisfy { $0 == 201 })
                    return event
                }
                try await Relays.drain(count: 1)
                #expect(try await TestQueues.status(topology.queue).messageCount >= 1_000)

                // One message at a time, so that the kill lands in the middle of the stream.
                let environment = [
                    "DATABASE_URL": TestEnvironment.databaseURL, "AMQP_URL": TestEnvironment.amqpURL,
                    "NOTIFICATION_QUEUE": topology.queue, "WORKER_CONCURRENCY": "1", "WORKER_PREFETCH": "10",
                    // Any free port: a worker already running here (scripts/run) holds the default.
                    "METRICS_PORT": "0", "LOG_LEVEL": "warning",
                ]
                let first = try ChildProcess.launch("QueueWorker", environment: environment)
                let atKill: Int
                do {
                    try await eventually(within: .seconds(30), "100 notifications before the kill") {
                        try await Notifications.of(event: event).count >= 100
                    }
                    await first.killNow()
                    atKill = try await Notifications.of(event: event).count
                } catch {
                    await first.killNow()
                    throw error
                }
                try? FileManager.default.removeItem(at: first.log)
                try #require(atKill < 1_000, "the worker finished the stream before it was killed")

                let second = try ChildProcess.launch("QueueWorker", environment: environment)
                let notifications: [Notifications.Row]
                do {
                    notifications = try await Notifications.wait(event: event, count: 1_000, within: .seconds(60), settle: .milliseconds(500))
                } catch {
                    await second.killNow()
                    throw error
                }
                // Exactly the stream: nothing lost to the kill (a second record of one message
                // cannot exist: its id is the key).
                #expect(notifications.count == 1_000, "\(notifications.count) notifications; killed at \(atKill)")
                #expect(Set(notifications.map(\.bookingID)).count == 1_000)

                // And a SIGTERM ends the worker cleanly.
                let outcome = await second.terminate(within: .seconds(5))
                #expect(outcome.exited, "still running \(outcome.elapsed) after SIGTERM: \(second.logTail)")
                #expect(second.process.terminationReason == .exit && second.process.terminationStatus == 0, "\(second.logTail)")
            } catch {
                try? await TestQueues.delete(topology)
                throw error
            }
            try await TestQueues.delete(topology)
        }
    }

    @Test func twoRelayingServersDeliverEachNotificationOnce() async throws {
        try await ExclusiveSection.run {
            try await TestWorker.with { worker in
                try await TestServer.withRelayingLiveAPI { first in
                    try await TestServer.withRelayingLiveAPI { second in
                        let event = try await first.createEvent(seats: 400)
                        let statuses = try await reserveMany(400, at: 32) { index in
                            let api = index.isMultiple(of: 2) ? first : second
                            return try await api.reserve(event: event, user: "pair-\(event)-\(index)").status
                        }
                        #expect(statuses.count == 400 && statuses.allSatisfy { $0 == 201 })
                        let notifications = try await Notifications.wait(event: event, count: 400, settle: .milliseconds(500))
                        #expect(notifications.count == 400)
                        #expect(Set(notifications.map(\.bookingID)).count == 400)
                        #expect(worker.statistics[.duplicate] == 0, "no message reached the worker twice")
                    }
                }
            }
        }
    }

    @Test func aWebhookThatFailsTwiceThenAcceptsGetsTheNotificationAfterThreeRecordedAttempts() async throws {
        try await ExclusiveSection.run {
            try await WebhookReceiver.with(statuses: [500, 500, 200]) { receiver, url in
                try await TestWorker.with(webhookURL: url, maxAttempts: 5) { _ in
                    let message = SyntheticMessage()
                    try await message.publish()
                    try await eventually(within: .seconds(20), "a delivered notification") {
                        try await Notifications.webhookState(of: message.id) == "delivered"
                    }
                    #expect(try await Notifications.attempts(of: message.id) == [500, 500, 200])
                    #expect(receiver.posts(of: message.id) == 3)
                }
            }
        }
    }

    @Test func aWebhookThatAlwaysFailsSendsTheMessageToTheDeadLetterQueueAfterTheConfiguredAttempts() async throws {
        try await ExclusiveSection.run {
            try await WebhookReceiver.with(statuses: [500]) { receiver, url in
                try await TestWorker.with(webhookURL: url, maxAttempts: 3) { worker in
                    let message = SyntheticMessage()
                    try await message.publish()
                    let dead = try await TestQueues.deadLetters(worker.deadLetterQueue, count: 1)
                    let letter = try #require(dead.first, "nothing reached \(worker.deadLetterQueue)")
                    #expect(letter.messageID == message.id)
                    #expect(letter.body == message.body)
                    let reason = letter.headers[DeadLetter.reasonHeader]?.stringValue ?? ""
                    #expect(reason.contains("3 of 3") && reason.contains("HTTP 500"), "\(reason)")
                    #expect(try await Notifications.attempts(of: message.id) == [500, 500, 500])
                    #expect(receiver.posts(of: message.id) == 3)
                    try await eventually(within: .seconds(5), "the notification marked dead-lettered") {
                        try await Notifications.webhookState(of: message.id) == "dead_lettered"
                    }
                }
            }
        }
    }

    @Test func aSignedWebhookIsVerifiedByTheReceiverWhichRefusesABodyAlteredOnTheWay() async throws {
        let secret = "pipeline-test-secret-\(UUID().uuidString)"
        try await ExclusiveSection.run {
            // The receiver alters the first body before checking it: that POST must fail the
            // check (401); the retry, untouched, must pass it.
            try await WebhookReceiver.with(statuses: [200], secret: secret, tamperWithFirstPost: true) { receiver, url in
                try await TestWorker.with(webhookURL: url, webhookSecret: secret, maxAttempts: 5) { _ in
                    let message = SyntheticMessage()
                    try await message.publish()
                    try await eventually(within: .seconds(20), "a delivered notification") {
                        try await Notifications.webhookState(of: message.id) == "delivered"
                    }
                    #expect(try await Notifications.attempts(of: message.id) == [401, 200])
                    let posts = receiver.postsReceived(of: message.id)
                    #expect(posts.map(\.verdict) == [.refused("wrong HMAC"), .genuine])
                    // The system clock signs: each t is now, give or take the test's own seconds.
                    let now = Int64(Date().timeIntervalSince1970)
                    for post in posts {
                        let time = try #require(post.time, "\(post)")
                        #expect((now - 60...now).contains(time), "t=\(time), now \(now)")
                        #expect(post.signature?.hasPrefix("t=\(time),v1=") == true, "\(post)")
                    }
                }
            }
        }
    }

    @Test func eachWebhookAttemptIsSignedAtItsOwnTime() async throws {
        let secret = "pipeline-test-secret-\(UUID().uuidString)"
        let start = Int64(Date().timeIntervalSince1970)
        let message = SyntheticMessage()
        try await ExclusiveSection.run {
            try await WebhookReceiver.with(statuses: [500, 500, 200], secret: secret) { receiver, url in
                // The worker's clock moves one second per POST received: attempt n signs at
                // start + n - 1.
                try await TestWorker.with(
                    webhookURL: url, webhookSecret: secret, maxAttempts: 5,
                    unixTime: { start + Int64(receiver.posts(of: message.id)) }
                ) { _ in
                    try await message.publish()
                    try await eventually(within: .seconds(20), "a delivered notification") {
                        try await Notifications.webhookState(of: message.id) == "delivered"
                    }
                    #expect(try await Notifications.attempts(of: message.id) == [500, 500, 200])
                    let posts = receiver.postsReceived(of: message.id)
                    #expect(posts.map(\.verdict) == [.genuine, .genuine, .genuine])
                    #expect(posts.map(\.time) == [start, start + 1, start + 2])
                    #expect(Set(posts.compactMap(\.signature)).count == 3)
                }
            }
        }
    }

    @Test func withoutASecretNoWebhookPostCarriesASignature() async throws {
        try await ExclusiveSection.run {
            try await WebhookReceiver.with(statuses: [500, 200]) { receiver, url in
                try await TestWorker.with(webhookURL: url, maxAttempts: 5) { _ in
                    let message = SyntheticMessage()
                    try await message.publish()
                    try await eventually(within: .seconds(20), "a delivered notification") {
                        try await Notifications.webhookState(of: message.id) == "delivered"
                    }
                    let posts = receiver.postsReceived(of: message.id)
                    #expect(posts.count == 2)
                    #expect(posts.allSatisfy { $0.signature == nil }, "\(posts)")
                }
            }
        }
    }

    @Test func aMalformedMessageLandsInTheDeadLetterQueueAndConsumptionGoesOn() async throws {
        try await ExclusiveSection.run {
            try await TestWorker.with { worker in
                try await TestQueues.publish(Array("not json".utf8), messageID: "hand-made")
                let valid = SyntheticMessage()
                try await valid.publish()

                let dead = try await TestQueues.deadLetters(worker.deadLetterQueue, count: 1)
                let letter = try #require(dead.first, "nothing reached \(worker.deadLetterQueue)")
                #expect(letter.body == Array("not json".utf8))
                #expect(letter.messageID == "hand-made")
                let reason = letter.headers[DeadLetter.reasonHeader]?.stringValue ?? ""
                #expect(reason.contains("not JSON"), "\(reason)")
                #expect(letter.headers["x-original-routing-key"]?.stringValue == "booking.confirmed")

                try await eventually(within: .seconds(10), "the valid message after it recorded") {
                    try await Notifications.webhookState(of: valid.id) == "off"
                }
                #expect(worker.statistics[.deadLettered] == 1)
            }
        }
    }

    @Test func oneLaneAcknowledgesEveryMessageOfItsBatchesWithMalformedOnesAmongThem() async throws {
        try await ExclusiveSection.run {
            try await TestWorker.with(concurrency: 1) { worker in
                // Published before the worker can take them one by one, so batches form; a
                // malformed message every 50 lands inside some of them.
                var valid: [SyntheticMessage] = []
                for index in 0..<300 {
                    if index % 50 == 25 {
                        try await TestQueues.publish(Array("not json \(index)".utf8), messageID: "malformed-\(index)")
                    }
                    let message = SyntheticMessage()
                    try await message.publish()
                    valid.append(message)
                }
                try await eventually(within: .seconds(30), "306 messages settled") {
                    worker.statistics[.consumed] == 306
                }
                for message in valid {
                    #expect(try await Notifications.webhookState(of: message.id) == "off", "\(message.id)")
                }
                #expect(worker.statistics[.recorded] == 300)
                #expect(worker.statistics[.deadLettered] == 6)
                // Every delivery acknowledged, none still held: the broker has none in hand.
                try await eventually(within: .seconds(10), "no unacknowledged message on \(worker.queue)") {
                    try LocalBroker.unacknowledged(queue: worker.queue) == 0
                }
                #expect(try await TestQueues.status(worker.queue).messageCount == 0)
                #expect(worker.statistics[.duplicate] == 0)
            }
        }
    }
}

/// Runs `count` reservations, `concurrency` at a time; returns every status.
private func reserveMany(
    _ count: Int, at concurrency: Int, _ reserve: @Sendable @escaping (Int) async throws -> Int
) async throws -> [Int] {
    try await withThrowingTaskGroup(of: Int.self) { group in
        var statuses: [Int] = []
        for index in 0..<count {
            if index >= concurrency, let status = try await group.next() { statuses.append(status) }
            group.addTask { try await reserve(index) }
        }
        for try await status in group { statuses.append(status) }
        return statuses
    }
}
