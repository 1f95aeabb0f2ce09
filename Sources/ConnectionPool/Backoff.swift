// Ours: no package in the build offers a retry schedule (swift-nio, AsyncHTTPClient and
// swift-service-lifecycle keep theirs internal), and this one is a few lines of arithmetic.

/// How long to wait before trying again after failures: exponential, capped, with jitter so that
/// many clients failing together (one broker restart, one webhook outage) do not retry in
/// lockstep. The delay after the first failure is ``initial``; each further failure multiplies
/// it by ``multiplier``, up to ``maximum``; then it is shortened at random by up to ``jitter``.
///
/// Use it as a pure schedule (``delay(afterFailures:using:)``), or as a counter of consecutive
/// failures (``nextDelay()`` after each one, ``reset()`` after a success).
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// Fraction (0...1) by which a delay may be shortened at random: 0.5 gives "equal jitter".
    public var jitter: Double
    /// Failures counted by ``nextDelay()`` since the last ``reset()``.
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

    /// The delay after `failures` consecutive failures; zero before the first one.
    public func delay<G: RandomNumberGenerator>(afterFailures failures: Int, using generator: inout G) -> Duration {
        guard failures > 0 else { return .zero }
        let ceiling = ceiling(afterFailures: failures)
        let jitter = min(max(jitter, 0), 1)
        guard jitter > 0 else { return ceiling }
        return ceiling * Double.random(in: (1 - jitter)...1, using: &generator)
    }

    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    /// The delay before the next attempt; each call counts one more failure.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    public mutating func nextDelay<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        attempt += 1
        return delay(afterFailures: attempt, using: &generator)
    }

    /// Called after a success: the next failure waits ``initial`` again.
    public mutating func reset() { attempt = 0 }

    /// `initial × multiplier^(failures − 1)`, at most `maximum`, before jitter. The growth is
    /// compared with the cap as a ratio, so however many failures there were, nothing beyond the
    /// cap is ever turned back into a `Duration` (which would overflow).
    func ceiling(afterFailures failures: Int) -> Duration {
        guard initial > .zero else { return .zero }
        let growth = Self.power(multiplier, failures - 1)
        guard growth < maximum / initial else { return maximum }
        return initial * growth
    }

    /// `base^exponent` by squaring: a few multiplications even for a huge exponent; past
    /// `Double`'s range it is infinity, which the cap then catches.
    private static func power(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0
        var base = base
        var exponent = exponent
        while exponent > 0, result.isFinite {
            if exponent & 1 == 1 { result *= base }
            base *= base
            exponent >>= 1
        }
        return result
    }
}
