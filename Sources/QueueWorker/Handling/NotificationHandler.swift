import BookingMessages
/// The worker's effect for one well-formed message: record its notification once, and when a
/// webhook is configured, post it until the webhook accepts it or the attempts run out.
///
/// Attempts are counted in the ledger, not in memory, so a worker that crashes half-way through
/// the retries resumes after the ones already made rather than starting over.
struct NotificationHandler: Sendable {
    let ledger: any NotificationLedger
    let webhook: (any WebhookSender)?
    let retryPolicy: WebhookRetryPolicy
    let statistics: WorkerStatistics
    /// Waits between webhook attempts. Throws when the worker stops: the message is then left
    /// unacknowledged, for the broker to deliver again.
    let pause: @Sendable (Duration) async throws -> Void

    /// Several messages at once, in order. Without a webhook they are recorded in one statement;
    /// with one, each goes its own way (attempts, waits) as in ``handle(_:)``.
    func handle(_ messages: [BookingMessage]) async throws -> [Disposition] {
        guard webhook == nil else {
            var dispositions: [Disposition] = []
            for message in messages { dispositions.append(try await handle(message)) }
            return dispositions
        }
        var recorded = try await ledger.recordAll(messages)
        // A copy within the same batch is a duplicate too: only the first takes the record.
        return messages.map { recorded.remove($0.id) != nil ? .acknowledge(.recorded) : .acknowledge(.duplicate) }
    }

    func handle(_ message: BookingMessage) async throws -> Disposition {
        let entry = try await ledger.record(message, webhook: webhook == nil ? .off : .pending)
        // A notification recorded without a webhook, or one already settled, needs nothing more.
        guard entry.webhook == .pending, let webhook else {
            return .acknowledge(entry.isNew ? .recorded : .duplicate)
        }
        var attempts = entry.attempts
        var lastFailure = entry.lastFailure
        while attempts < retryPolicy.maxAttempts {
            if attempts > 0 {
                statistics.count(.retried)
                try await pause(retryPolicy.delay(beforeAttempt: attempts + 1))
            }
            let outcome = await webhook.post(message)
            attempts = try await ledger.recordAttempt(of: message.id, outcome: outcome)
            if outcome.isAccepted { return .acknowledge(.delivered) }
            lastFailure = outcome.description
        }
        return .deadLetter(reason: "webhook failed \(attempts) of \(retryPolicy.maxAttempts) attempts; last: \(lastFailure ?? "unknown")")
    }
}
