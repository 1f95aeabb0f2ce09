import BookingCore
import Synchronization

/// Counts the commits it was told of.
public final class CountingPostCommitSignal: PostCommitSignal {
    private let signals = Atomic<Int>(0)

    public init() {}

    public var count: Int { signals.load(ordering: .relaxed) }

    public func bookingChangeCommitted() {
        signals.add(1, ordering: .relaxed)
    }
}
