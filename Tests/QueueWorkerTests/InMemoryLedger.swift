import BookingMessages
import Synchronization

@testable import QueueWorker

/// The notification ledger's rules, in memory, for the handler's unit tests.
final class InMemoryLedger: NotificationLedger {
    struct Notification: Sendable {
        var message: BookingMessage
        var webhook: WebhookState
        var attempts: [WebhookOutcome]
    }

    let notifications = Mutex<[String: Notification]>([:])

    func record(_ message: BookingMessage, webhook: WebhookState) async throws -> LedgerEntry {
        notifications.withLock { notifications in
            if let known = notifications[message.id] {
                return LedgerEntry(
                    isNew: false, webhook: known.webhook, attempts: known.attempts.count,
                    lastFailure: known.attempts.last.map(\.description)
                )
            }
            notifications[message.id] = Notification(message: message, webhook: webhook, attempts: [])
            return LedgerEntry(isNew: true, webhook: webhook, attempts: 0, lastFailure: nil)
        }
    }

    func recordAll(_ messages: [BookingMessage]) async throws -> Set<String> {
        var recorded: Set<String> = []
        for message in messages where try await record(message, webhook: .off).isNew {
            recorded.insert(message.id)
        }
        return recorded
    }

    func recordAttempt(of messageID: String, outcome: WebhookOutcome) async throws -> Int {
        notifications.withLock { notifications in
            notifications[messageID]?.attempts.append(outcome)
            if outcome.isAccepted { notifications[messageID]?.webhook = .delivered }
            return notifications[messageID]?.attempts.count ?? 0
        }
    }

    func markDeadLettered(_ messageID: String) async throws {
        notifications.withLock { $0[messageID]?.webhook = .deadLettered }
    }

    subscript(id: String) -> Notification? {
        notifications.withLock { $0[id] }
    }
}

/// A webhook that answers from a script, then repeats its last answer; counts the posts.
final class ScriptedWebhook: WebhookSender {
    private let state: Mutex<(script: [WebhookOutcome], posts: Int)>

    init(_ script: [WebhookOutcome]) {
        state = Mutex((script, 0))
    }

    var posts: Int { state.withLock { $0.posts } }

    func post(_ message: BookingMessage) async -> WebhookOutcome {
        state.withLock { state in
            state.posts += 1
            return state.script.count > 1 ? state.script.removeFirst() : state.script[0]
        }
    }
}

/// Records the waits the handler asks for instead of sleeping.
final class RecordedPauses: Sendable {
    let waits = Mutex<[Duration]>([])
    let failAfter: Int?

    init(failAfter: Int? = nil) {
        self.failAfter = failAfter
    }

    func pause(_ delay: Duration) throws {
        try waits.withLock { waits in
            if let failAfter, waits.count >= failAfter { throw CancellationError() }
            waits.append(delay)
        }
    }
}
