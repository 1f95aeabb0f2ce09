import Synchronization

/// The open connections of one server, across its event loops: the connection cap is a number
/// of sockets, whichever loop holds them.
final class ConnectionCount: Sendable {
    private let open = Atomic<Int>(0)

    /// Counts one more connection; true when it is within `limit`. Every call is paired with
    /// `release()`, admitted or not: a refused connection holds a descriptor until it closes.
    func admit(limit: Int) -> Bool {
        open.wrappingAdd(1, ordering: .relaxed).newValue <= limit
    }

    func release() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    /// The connections open now (refused ones until they close), for `http_open_connections`.
    var current: Int { open.load(ordering: .relaxed) }
}
