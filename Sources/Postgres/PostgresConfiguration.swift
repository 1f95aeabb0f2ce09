import CLibPQ
import ConnectionPool

/// Where and how to connect: a `postgres://user:password@host:port/database` URL (libpq's own URI
/// syntax, so `?sslmode=...` and other parameters work too) and the pool's limits.
public struct PostgresConfiguration: Sendable {
    public let url: String
    /// The URL without its password, for logs and error messages.
    public let redactedURL: String
    public var applicationName: String
    public var connectTimeout: Duration
    public var pool: ConnectionPoolConfiguration

    public init(
        url: String,
        applicationName: String = "seat-reservation-engine",
        connectTimeout: Duration = .seconds(3),
        pool: ConnectionPoolConfiguration = .init(maximumConnections: 16)
    ) throws(PostgresError) {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw PostgresError(.invalidConfiguration, "the database URL must start with postgres:// or postgresql://")
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "unparsable"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(.invalidConfiguration, "invalid database URL: \(reason.trimmingWhitespace())")
        }
        defer { PQconninfoFree(options) }
        var fields: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { fields[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        for port in (fields["port"] ?? "").split(separator: ",", omittingEmptySubsequences: false)
        where fields["port"] != nil && !(UInt16(port).map { $0 > 0 } ?? false) {
            throw PostgresError(.invalidConfiguration, "invalid database URL: port \"\(port)\" is not a number from 1 to 65535")
        }
        self.url = url
        self.redactedURL = "postgres://\(fields["user"] ?? "")@\(fields["host"] ?? "")"
            + ":\(fields["port"] ?? "5432")/\(fields["dbname"] ?? "")"
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.pool = pool
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let last = view.last, last.isWhitespace { view.removeLast() }
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        return String(view)
    }
}
