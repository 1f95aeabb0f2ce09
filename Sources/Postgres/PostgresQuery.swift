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

    /// A one-dimensional array in PostgreSQL's text form (`{"a","b"}`): each element quoted, its
    /// `"` and `\` escaped by a backslash, so any text arrives as it is; cast it in the statement
    /// (`$1::text[]`).
    public init(array values: [String]) {
        var text = "{"
        text.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        text += "}"
        self.text = text
    }

    /// A one-dimensional array of integers, NULL where an element is nil (`{1,NULL,3}`).
    public init(array values: [Int?]) {
        text = "{" + values.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}"
    }

    public init(array values: [Int64]) {
        text = "{" + values.map(String.init).joined(separator: ",") + "}"
    }

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
