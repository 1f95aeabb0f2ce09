/// Told right after a booking change committed together with its outbox message, so that the
/// outbox relay publishes it now instead of at its next poll. Must return at once.
public protocol PostCommitSignal: Sendable {
    func bookingChangeCommitted()
}

/// Tells nobody: the relay's poll alone picks the messages up.
public struct NoPostCommitSignal: PostCommitSignal {
    public init() {}
    public func bookingChangeCommitted() {}
}
