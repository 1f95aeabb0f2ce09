import BookingMessages
/// Where the worker records its effect: one notification per message id, and each webhook
/// attempt. The PostgreSQL implementation does each call in one transaction, so the
/// de-duplication on the message id and the effect it guards commit together.
protocol NotificationLedger: Sendable {
    /// Records the message's notification unless one with its id exists; either way, says
    /// where that notification stands.
    func record(_ message: BookingMessage, webhook: WebhookState) async throws -> LedgerEntry

    /// Records the notifications of many messages at once, with no webhook to follow (state
    /// `off`), each unless its id is known. Returns the ids recorded by this call.
    func recordAll(_ messages: [BookingMessage]) async throws -> Set<String>

    /// Appends the next attempt at posting `messageID` to the webhook; an accepted attempt marks
    /// the notification delivered in the same transaction. Returns the attempt's number (1, 2, …).
    func recordAttempt(of messageID: String, outcome: WebhookOutcome) async throws -> Int

    /// Marks the notification as sent to the dead-letter queue: a later copy of the message is
    /// acknowledged without another attempt.
    func markDeadLettered(_ messageID: String) async throws
}

/// Where one notification stands.
struct LedgerEntry: Sendable, Equatable {
    /// True when this call recorded it; false when the message was seen before.
    var isNew: Bool
    var webhook: WebhookState
    /// Webhook attempts recorded so far.
    var attempts: Int
    /// What the last failed attempt got, for the dead-letter reason.
    var lastFailure: String?
}

/// The notification's webhook delivery, as the `notifications.webhook` column holds it.
enum WebhookState: String, Sendable {
    /// No webhook was configured when the notification was recorded.
    case off
    case pending
    case delivered
    case deadLettered = "dead_lettered"
}

/// A ledger failure that no retry can mend (the database refuses the values): the message is
/// dead-lettered with this reason instead of being retried for ever.
struct PermanentLedgerError: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
