/// Why a Redis call failed on our side of the wire: the connection, a timeout, the protocol, or a
/// reply of another type than the caller asked for. Errors that Redis itself answers are
/// ``RedisServerError``.
public struct RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The TCP connection (or the handshake: AUTH, SELECT) could not be made.
        case connectionFailed
        /// The connection closed before the reply came, or was closed already.
        case connectionClosed
        /// No reply within the command timeout; the connection was closed.
        case timeout
        /// The server sent bytes that are not RESP, or a reply nobody asked for.
        case protocolError
        /// The reply has another type than the caller asked for.
        case unexpectedReply
        /// A malformed URL or setting.
        case invalidConfiguration
        /// A command that cannot be sent (no arguments).
        case invalidCommand
    }

    public let code: Code
    public let description: String
    /// The command never reached the socket, so sending it on another connection cannot run it
    /// twice. The client retries such a command once on a fresh connection.
    let wasNotSent: Bool

    init(_ code: Code, _ description: String, wasNotSent: Bool = false) {
        self.code = code
        self.description = description
        self.wasNotSent = wasNotSent
    }

    static func connectionFailed(host: String, port: Int, _ underlying: any Error) -> Self {
        Self(.connectionFailed, "could not connect to Redis at \(host):\(port): \(underlying)")
    }

    static func connectionClosed(_ reason: String) -> Self {
        Self(.connectionClosed, "the Redis connection closed \(reason)")
    }

    /// The connection was already known closed when the command came, so it was not written.
    static let closedBeforeSend = Self(
        .connectionClosed,
        "the Redis connection was already closed; the command was not sent",
        wasNotSent: true
    )

    static func timeout(after timeout: Duration) -> Self {
        Self(.timeout, "Redis did not reply within \(timeout); the connection was closed")
    }

    static func protocolError(_ detail: String) -> Self {
        Self(.protocolError, "Redis protocol error: \(detail); the connection was closed")
    }

    static func unexpectedReply(expected: String, actual: RedisValue) -> Self {
        Self(.unexpectedReply, "expected \(expected) from Redis, got \(actual)")
    }

    static func invalidURL(_ reason: String) -> Self {
        Self(.invalidConfiguration, "invalid Redis URL: \(reason)")
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
