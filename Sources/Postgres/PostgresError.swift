/// An error from the PostgreSQL client: the server's own report (with its SQLSTATE, so callers
/// branch on a code and a constraint name, never on message text) or a failure of the connection.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server rejected a statement; ``server`` holds its fields.
        case server
        /// A connection could not be opened.
        case connectionFailed
        /// The connection broke (server restart, terminated backend, network): retry on another.
        case connectionClosed
        /// The connection was abandoned half-way because the waiting task was cancelled.
        case cancelled
        /// A parameter cannot be sent (PostgreSQL text cannot hold a NUL character).
        case invalidParameter
        /// The configuration (URL) is not usable.
        case invalidConfiguration
        /// The server answered something this client did not expect.
        case protocolViolation
    }

    /// Fields of the server's ErrorResponse.
    public struct ServerFields: Sendable, Equatable {
        public var sqlState: SQLState
        public var severity: String
        public var message: String
        public var detail: String?
        public var hint: String?
        public var constraint: String?
        public var table: String?
        public var column: String?
    }

    public let kind: Kind
    /// Set when ``kind`` is ``Kind/server``.
    public let server: ServerFields?
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.server = nil
        self.message = message
    }

    init(server fields: ServerFields) {
        self.kind = .server
        self.server = fields
        self.message = fields.message
    }

    public var sqlState: SQLState? { server?.sqlState }
    public var constraint: String? { server?.constraint }

    /// True when `UNIQUE`/primary key `constraint` (or any, when nil) rejected the statement.
    public func isUniqueViolation(of constraint: String? = nil) -> Bool {
        sqlState == .uniqueViolation && (constraint == nil || server?.constraint == constraint)
    }

    public var description: String {
        if let server {
            return "PostgreSQL \(server.severity) \(server.sqlState.code): \(server.message)"
                + (server.detail.map { " (\($0))" } ?? "")
        }
        return "PostgreSQL \(kind): \(message)"
    }
}

/// A five-character SQLSTATE code.
public struct SQLState: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public init(_ code: String) { self.code = code }
    public var description: String { code }

    /// The class (first two characters): "23" is integrity constraint violation.
    public var errorClass: Substring { code.prefix(2) }

    public static let uniqueViolation = SQLState("23505")
    public static let foreignKeyViolation = SQLState("23503")
    public static let checkViolation = SQLState("23514")
    public static let notNullViolation = SQLState("23502")
    public static let exclusionViolation = SQLState("23P01")
    public static let raiseException = SQLState("P0001")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let undefinedTable = SQLState("42P01")
    public static let syntaxError = SQLState("42601")
}
