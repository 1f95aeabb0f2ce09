import Foundation

/// One SQL statement and its bind parameters (`$1`, `$2`, ...). Values never enter the SQL text.
public struct PostgresQuery: Sendable {
    public let sql: String
    public var binds: [PostgresBind]

    public init(_ sql: String, binds: [PostgresBind] = []) {
        self.sql = sql
        self.binds = binds
    }
}

/// A bind parameter, sent in PostgreSQL's text format (the server infers or casts its type), or
/// NULL.
public struct PostgresBind: Sendable, Equatable {
    /// UTF-8 text of the value; nil for NULL.
    let text: String?

    public static let null = PostgresBind(text: nil)

    init(text: String?) { self.text = text }

    public init(_ value: String) { text = value }
    public init(_ value: Int) { text = String(value) }
    public init(_ value: Int64) { text = String(value) }
    public init(_ value: Int32) { text = String(value) }
    public init(_ value: Bool) { text = value ? "t" : "f" }
    public init(_ value: Double) {
        // Keeps every bit: Swift prints the shortest text that reads back to the same Double.
        text = value.isNaN ? "NaN" : value.isInfinite ? (value < 0 ? "-Infinity" : "Infinity") : "\(value)"
    }
    public init(_ value: Date) { text = PostgresTimestamp.text(for: value) }

    public init(_ value: String?) { self = value.map { PostgresBind($0) } ?? .null }
    public init(_ value: Int?) { self = value.map { PostgresBind($0) } ?? .null }
    public init(_ value: Int64?) { self = value.map { PostgresBind($0) } ?? .null }
}

extension PostgresBind: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
    public init(booleanLiteral value: Bool) { self.init(value) }
    public init(nilLiteral: ()) { self = .null }
}
