/// A connection that a ``ConnectionPool`` can lend out.
public protocol PooledConnection: AnyObject, Sendable {
    /// False once the connection is known to be broken (the peer closed it, a protocol error,
    /// a failed I/O call). The pool checks it before lending a connection out and when one comes
    /// back, and discards a broken connection instead of lending it again.
    var isUsable: Bool { get }

    /// Checked instead of ``isUsable`` when a connection comes back from a caller, who has just
    /// used it: a connection may answer from what it already knows (no system call), since
    /// ``isUsable`` is asked again before it is lent out. Defaults to ``isUsable``.
    var isUsableAfterUse: Bool { get }

    /// Closes the connection. Must not block for long: the pool calls it while it tidies up.
    func close()
}

extension PooledConnection {
    public var isUsableAfterUse: Bool { isUsable }
}
