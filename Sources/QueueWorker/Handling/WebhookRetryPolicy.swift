import ConnectionPool

/// How often and how patiently the worker posts one message to the webhook: waits that double,
/// capped, each shortened at random by up to half ("equal jitter"), so that many messages
/// failing together do not retry in lockstep.
struct WebhookRetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; after the last failure the message is dead-lettered.
    var maxAttempts: Int
    /// The waits: ``initialDelay`` before the second attempt, doubling up to ``maximumDelay``.
    var backoff: Backoff

    init(maxAttempts: Int, initialDelay: Duration, maximumDelay: Duration) {
        self.maxAttempts = maxAttempts
        self.backoff = Backoff(initial: initialDelay, maximum: maximumDelay, multiplier: 2, jitter: 0.5)
    }

    var initialDelay: Duration { backoff.initial }
    var maximumDelay: Duration { backoff.maximum }

    /// The wait before attempt `attempt` (2, 3, …), after `attempt - 1` failures; none before
    /// the first.
    func delay<G: RandomNumberGenerator>(beforeAttempt attempt: Int, using generator: inout G) -> Duration {
        attempt > 1 ? backoff.delay(afterFailures: attempt - 1, using: &generator) : .zero
    }

    func delay(beforeAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(beforeAttempt: attempt, using: &generator)
    }
}
