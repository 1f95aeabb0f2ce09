import Foundation
import Synchronization

/// The time the doubles judge holds by, as PostgreSQL and Redis judge them by their clocks: the
/// wall clock, plus whatever a test moves it by. One clock may be shared by a store and a cache.
public final class HoldClock: Sendable {
    private let offset = Atomic<Int64>(0)
    private let base = ContinuousClock.now
    private let baseMicroseconds = Int64(Date().timeIntervalSince1970 * 1_000_000)

    public init() {}

    /// µs since 1970.
    public var now: Int64 {
        Int64((ContinuousClock.now - base) / .microseconds(1)) + baseMicroseconds + offset.load(ordering: .relaxed)
    }

    /// Holds lapse as if that much more time had passed.
    public func advance(bySeconds seconds: Double) {
        offset.add(Int64(seconds * 1_000_000), ordering: .relaxed)
    }
}
