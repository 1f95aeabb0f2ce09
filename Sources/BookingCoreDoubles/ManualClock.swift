import BookingCore
import Synchronization

/// A monotonic clock that moves only when the test says so.
public final class ManualClock: Sendable {
    private let nanoseconds: Atomic<Int64>

    /// Starts at the beginning of a one-second window, far from zero like a real uptime.
    public init(startingAt start: Int64 = 1_000 * 1_000_000_000) {
        nanoseconds = Atomic(start)
    }

    public func advance(by duration: Duration) {
        nanoseconds.add(duration.wholeNanoseconds, ordering: .relaxed)
    }

    public var read: UserRateLimiter.Clock {
        { [self] in nanoseconds.load(ordering: .relaxed) }
    }
}
