/// Why a ``ConnectionPool`` could not lend a connection.
public struct ConnectionPoolError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// Every connection stayed busy for the whole acquire timeout.
        case acquireTimeout
        /// The pool was closed.
        case poolClosed
    }

    public let code: Code
    public let description: String

    public static func acquireTimeout(after timeout: Duration, maximumConnections: Int) -> Self {
        Self(
            code: .acquireTimeout,
            description: "no connection became free within \(timeout) (all \(maximumConnections) in use)"
        )
    }

    public static let poolClosed = Self(code: .poolClosed, description: "the connection pool is closed")

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
