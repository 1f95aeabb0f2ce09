import Synchronization

/// Whether a connection may still be lent out: read by the pool on any thread, cleared by the
/// channel handler on the event loop the moment it knows the connection is broken (before the
/// channel has finished closing).
final class ConnectionHealth: Sendable {
    private let usable = Atomic<Bool>(true)

    var isUsable: Bool { usable.load(ordering: .acquiring) }

    func markUnusable() { usable.store(false, ordering: .releasing) }
}
