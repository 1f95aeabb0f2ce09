/// Constant-rate arrivals: request `n` is meant to start `n / rate` seconds after the run starts,
/// whether or not earlier requests have been answered. Latency is measured from that intended
/// start, so time a request spends waiting for a free connection counts (no coordinated omission).
struct OpenLoopSchedule: Sendable, Equatable {
    /// Bounds that keep the nanosecond arithmetic below within 64 bits.
    static let maximumRate = 1_000_000
    static let maximumSeconds = 3_600

    let ratePerSecond: Int
    /// How many requests the run sends in all.
    let count: Int

    /// `rate × seconds`, or fewer when a request limit is given.
    init(ratePerSecond: Int, seconds: Int, requestLimit: Int? = nil) {
        precondition((1...Self.maximumRate).contains(ratePerSecond) && (1...Self.maximumSeconds).contains(seconds))
        self.ratePerSecond = ratePerSecond
        count = min(ratePerSecond * seconds, requestLimit ?? .max)
    }

    /// Nanoseconds after the start at which request `number` is meant to begin. Each offset is
    /// computed from the start, not from the previous one, so rounding never accumulates.
    func offset(of number: Int) -> Int64 {
        Int64(number) * 1_000_000_000 / Int64(ratePerSecond)
    }

    /// How many requests are due `elapsed` nanoseconds after the start: those numbered below it.
    func due(atElapsed elapsed: Int64) -> Int {
        guard elapsed >= 0 else { return 0 }
        let clamped = min(elapsed, offset(of: count))
        // n is due when n × 10⁹ / rate (rounded down) ≤ elapsed, that is n × 10⁹ < (elapsed + 1) × rate.
        let bound = (clamped + 1) * Int64(ratePerSecond)
        let due = (bound + 999_999_999) / 1_000_000_000
        return min(count, Int(due))
    }

    /// The first number at or after `number` that belongs to loop `loop` of `loops`: the loops of
    /// a run share the schedule by taking every `loops`-th request.
    static func firstNumber(atOrAfter number: Int, loop: Int, of loops: Int) -> Int {
        number + ((loop - number % loops) % loops + loops) % loops
    }
}
