/// An error from the AMQP client: the broker's own reply code and text when the broker closed a
/// channel or the connection, the rabbitmq-c status for socket and protocol failures.
public struct AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL given to `AMQPConfiguration` is malformed.
        case invalidURL
        /// The TCP connection or the AMQP handshake failed.
        case connectFailed
        /// The broker closed the connection (`replyCode`, e.g. 320 CONNECTION_FORCED), or the socket broke.
        case connectionClosed
        /// The broker closed a channel (`replyCode`, e.g. 404 NOT_FOUND, 406 PRECONDITION_FAILED).
        case channelClosed
        /// The broker answered a publish with basic.nack.
        case publishNacked
        /// A mandatory message could not be routed to any queue (basic.return).
        case unroutable
        /// The broker cancelled a consumer (its queue was deleted, for example).
        case consumerCancelled
        /// No connection became available within the allowed time.
        case notConnected
        /// `close()` was called on the connection or client.
        case closed
    }

    public var kind: Kind
    /// The broker's reply code (AMQP 0-9-1 constants such as 404, 406, 320), if the broker sent one.
    public var replyCode: UInt16?
    /// The broker's reply text, if the broker sent one.
    public var replyText: String?
    /// The rabbitmq-c status (`amqp_status_enum`), for library and socket failures.
    public var libraryStatus: Int32?
    /// A human-readable explanation, including the library's `amqp_error_string2` text.
    public var message: String

    public init(
        _ kind: Kind,
        message: String,
        replyCode: UInt16? = nil,
        replyText: String? = nil,
        libraryStatus: Int32? = nil
    ) {
        self.kind = kind
        self.message = message
        self.replyCode = replyCode
        self.replyText = replyText
        self.libraryStatus = libraryStatus
    }

    public var description: String {
        var text = "AMQPError.\(kind): \(message)"
        if let replyCode { text += " [\(replyCode) \(replyText ?? "")]" }
        if let libraryStatus { text += " [status \(libraryStatus)]" }
        return text
    }
}

extension AMQPError {
    /// AMQP 0-9-1 reply codes that callers commonly branch on.
    public enum ReplyCode {
        public static let connectionForced: UInt16 = 320
        public static let accessRefused: UInt16 = 403
        public static let notFound: UInt16 = 404
        public static let resourceLocked: UInt16 = 405
        public static let preconditionFailed: UInt16 = 406
        public static let notAllowed: UInt16 = 530
    }
}
