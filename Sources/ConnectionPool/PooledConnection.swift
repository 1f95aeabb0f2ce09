/// A connection that a ``ConnectionPool`` can lend out.
public protocol PooledConnection: AnyObject, Sendable {
    /// False once the connection is known to be broken (the peer closed it, a protocol error,
    /// a failed I/O call). The pool checks it before lending a connection out and when one comes
    /// back, and discards a broken connection instead of lending it again.
    var isUsable: Bool { get }

    /// Closes the connection. Must not block for long: the pool calls it while it tidies up.
    func close()
}
