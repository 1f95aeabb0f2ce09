/// Delays between reconnect attempts: exponential, capped, with jitter so that many clients
/// dropped by one broker restart do not reconnect in lockstep.
public struct ReconnectBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// Fraction (0...1) by which a delay may be shortened at random.
    public var jitter: Double
    public private(set) var attempt: Int = 0

    public init(
        initial: Duration = .milliseconds(100),
        maximum: Duration = .seconds(10),
        multiplier: Double = 2,
        jitter: Double = 0.3
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before the next attempt; each call counts one more failed attempt.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    public mutating func nextDelay<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let initialSeconds = Self.seconds(initial)
        let maximumSeconds = Self.seconds(maximum)
        // Exponent capped so the power cannot overflow to infinity after many failures.
        let exponent = Double(min(attempt, 62))
        let base = min(maximumSeconds, initialSeconds * pow(multiplier, exponent))
        attempt += 1
        let factor = jitter == 0 ? 1 : Double.random(in: (1 - jitter)...1, using: &generator)
        return .nanoseconds(Int64(base * factor * 1e9))
    }

    /// Called after a successful connect.
    public mutating func reset() { attempt = 0 }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) {
            result *= base
            if result.isInfinite { break }
        }
        return result
    }
}
