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
