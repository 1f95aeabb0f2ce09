/// How often and how patiently the worker posts one message to the webhook: exponential
/// backoff, capped, with jitter so that many messages failing together do not retry in lockstep.
struct WebhookRetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; after the last failure the message is dead-lettered.
    var maxAttempts: Int
    /// The wait before the second attempt; each later wait doubles, up to `maximumDelay`.
    var initialDelay: Duration
    var maximumDelay: Duration

    /// The wait before attempt `attempt` (2, 3, …) after `attempt - 1` failures: the capped
    /// exponential delay, shortened at random by up to half ("equal jitter").
    func delay<G: RandomNumberGenerator>(beforeAttempt attempt: Int, using generator: inout G) -> Duration {
        guard attempt >= 2 else { return .zero }
        let exponent = min(attempt - 2, 40)
        let initial = Self.nanoseconds(initialDelay)
        let ceiling = Self.nanoseconds(maximumDelay)
        let full = min(ceiling, initial * Double(UInt64(1) << UInt64(exponent)))
        let jittered = full / 2 + Double.random(in: 0...(full / 2), using: &generator)
        return .nanoseconds(Int64(jittered))
    }

    func delay(beforeAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(beforeAttempt: attempt, using: &generator)
    }

    private static func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }
}
