/// Limits of a ``ConnectionPool``.
public struct ConnectionPoolConfiguration: Sendable {
    /// Connections open (or being opened) at most at once.
    public var maximumConnections: Int
    /// How long ``ConnectionPool/withConnection(isolation:_:)`` waits for a free connection
    /// before it throws ``ConnectionPoolError/acquireTimeout``.
    public var acquireTimeout: Duration

    public init(maximumConnections: Int, acquireTimeout: Duration = .seconds(5)) {
        precondition(maximumConnections > 0, "a pool needs room for at least one connection")
        self.maximumConnections = maximumConnections
        self.acquireTimeout = acquireTimeout
    }
}
