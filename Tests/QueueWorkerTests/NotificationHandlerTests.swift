import BookingMessages
import Testing

@testable import QueueWorker

@Suite("Notification handler")
struct NotificationHandlerTests {
    let ledger = InMemoryLedger()
    let pauses = RecordedPauses()
    let policy = WebhookRetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(100), maximumDelay: .seconds(2))

    func handler(webhook: (any WebhookSender)?, pauses: RecordedPauses? = nil) -> NotificationHandler {
        let pauses = pauses ?? self.pauses
        return NotificationHandler(
            ledger: ledger, webhook: webhook, retryPolicy: policy, statistics: WorkerStatistics(),
            pause: { try pauses.pause($0) }
        )
    }

    @Test func withoutAWebhookAMessageIsRecordedOnceAndItsCopiesAreDuplicates() async throws {
        let message = try MessageFixture.message()
        let handler = handler(webhook: nil)
        #expect(try await handler.handle(message) == .acknowledge(.recorded))
        #expect(try await handler.handle(message) == .acknowledge(.duplicate))
        #expect(ledger[message.id]?.webhook == .off)
    }

    @Test func withoutAWebhookABatchIsRecordedTogetherAndKnownMessagesAreDuplicates() async throws {
        let known = try MessageFixture.message(bookingID: 1)
        let fresh = try MessageFixture.message(bookingID: 2)
        let handler = handler(webhook: nil)
        _ = try await handler.handle(known)
        let dispositions = try await handler.handle([known, fresh, fresh])
        #expect(dispositions == [.acknowledge(.duplicate), .acknowledge(.recorded), .acknowledge(.duplicate)])
        #expect(ledger[fresh.id]?.webhook == .off)
    }

    @Test func withAWebhookABatchGoesMessageByMessage() async throws {
        let messages = [try MessageFixture.message(bookingID: 1), try MessageFixture.message(bookingID: 2)]
        let webhook = ScriptedWebhook([.accepted(status: 200)])
        #expect(try await handler(webhook: webhook).handle(messages) == [.acknowledge(.delivered), .acknowledge(.delivered)])
        #expect(webhook.posts == 2)
    }

    @Test func aWebhookThatFailsTwiceThenAcceptsGetsThreeAttemptsAllRecorded() async throws {
        let message = try MessageFixture.message()
        let webhook = ScriptedWebhook([.refused(status: 500), .refused(status: 500), .accepted(status: 200)])
        #expect(try await handler(webhook: webhook).handle(message) == .acknowledge(.delivered))
        #expect(webhook.posts == 3)
        #expect(ledger[message.id]?.attempts == [.refused(status: 500), .refused(status: 500), .accepted(status: 200)])
        #expect(ledger[message.id]?.webhook == .delivered)
        #expect(pauses.waits.withLock { $0.count } == 2, "a wait before each retry, none before the first attempt")
    }

    @Test func aWebhookThatAlwaysFailsIsDeadLetteredAfterTheLastAttemptWithTheReason() async throws {
        let message = try MessageFixture.message()
        let webhook = ScriptedWebhook([.failed("connection refused")])
        let disposition = try await handler(webhook: webhook).handle(message)
        guard case .deadLetter(let reason) = disposition else {
            Issue.record("expected a dead letter, got \(disposition)")
            return
        }
        #expect(webhook.posts == 4)
        #expect(reason.contains("4 of 4") && reason.contains("connection refused"), "\(reason)")
        #expect(ledger[message.id]?.attempts.count == 4)
    }

    @Test func aRedeliveryAfterACrashResumesAfterTheAttemptsAlreadyMade() async throws {
        let message = try MessageFixture.message()
        let failing = ScriptedWebhook([.refused(status: 503)])
        // The first worker stops (its wait is cut short) after two failed attempts.
        let stopping = RecordedPauses(failAfter: 1)
        await #expect(throws: CancellationError.self) { try await handler(webhook: failing, pauses: stopping).handle(message) }
        #expect(ledger[message.id]?.attempts.count == 2)

        let accepting = ScriptedWebhook([.accepted(status: 204)])
        #expect(try await handler(webhook: accepting).handle(message) == .acknowledge(.delivered))
        #expect(accepting.posts == 1)
        #expect(ledger[message.id]?.attempts.count == 3)
    }

    @Test func aDeliveredNotificationIsNotPostedAgain() async throws {
        let message = try MessageFixture.message()
        let webhook = ScriptedWebhook([.accepted(status: 200)])
        #expect(try await handler(webhook: webhook).handle(message) == .acknowledge(.delivered))
        #expect(try await handler(webhook: webhook).handle(message) == .acknowledge(.duplicate))
        #expect(webhook.posts == 1)
    }

    @Test func aRedeliveryOfAMessageOutOfAttemptsGoesStraightToTheDeadLetterQueue() async throws {
        let message = try MessageFixture.message()
        let webhook = ScriptedWebhook([.refused(status: 500)])
        let first = try await handler(webhook: webhook).handle(message)
        // Crashed before it was marked dead-lettered: the copy must not be posted again.
        let second = try await handler(webhook: webhook).handle(message)
        #expect(webhook.posts == 4)
        guard case .deadLetter = first, case .deadLetter(let reason) = second else {
            Issue.record("expected two dead letters, got \(first) and \(second)")
            return
        }
        #expect(reason.contains("HTTP 500"), "\(reason)")
    }

    @Test func aDeadLetteredNotificationIsADuplicateAfterwards() async throws {
        let message = try MessageFixture.message()
        _ = try await handler(webhook: ScriptedWebhook([.refused(status: 500)])).handle(message)
        try await ledger.markDeadLettered(message.id)
        let webhook = ScriptedWebhook([.accepted(status: 200)])
        #expect(try await handler(webhook: webhook).handle(message) == .acknowledge(.duplicate))
        #expect(webhook.posts == 0)
    }
}
