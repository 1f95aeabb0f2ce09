import Synchronization

/// Hands out request numbers to the connections of a closed loop, across event loops, up to an
/// optional limit. Lock-free: every request of the run passes through here.
final class RequestBudget: Sendable {
    let limit: Int?
    private let next = Atomic<Int>(0)

    init(limit: Int?) { self.limit = limit }

    /// The next request number, or nil once the limit is spent.
    func claim() -> Int? {
        let number = next.wrappingAdd(1, ordering: .relaxed).oldValue
        if let limit, number >= limit { return nil }
        return number
    }
}
