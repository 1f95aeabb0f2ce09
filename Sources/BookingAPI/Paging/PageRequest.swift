/// The `limit` and `cursor` query parameters shared by the list endpoints.
public struct PageRequest: Hashable, Sendable {
    public static let defaultLimit = 50
    public static let maxLimit = 200

    public var limit: Int
    /// Where the previous page ended; `nil` for the first page.
    public var cursor: PageCursor?

    public init(limit: Int = PageRequest.defaultLimit, cursor: PageCursor? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    /// Reads `limit` (digits only, no leading zero, 1 … 200, default 50) and `cursor`.
    /// Other parameters are ignored; each of these two may appear at most once.
    public init(query: [QueryItem]) throws(ValidationError) {
        self.limit = try Self.limit(query.singleValue(named: "limit"))
        self.cursor = try Self.cursor(query.singleValue(named: "cursor"))
    }

    /// Parses a `limit` value; absent means the default.
    public static func limit(_ raw: String?) throws(ValidationError) -> Int {
        guard let raw else { return defaultLimit }
        guard raw.utf8.first != UInt8(ascii: "0"),
              let value = Validate.positiveDecimal(raw.utf8, atMost: Int64(maxLimit))
        else { throw ValidationError(field: "limit", message: "limit must be an integer from 1 to \(maxLimit)") }
        return Int(value)
    }

    /// Parses a `cursor` value; absent means the first page.
    public static func cursor(_ raw: String?) throws(ValidationError) -> PageCursor? {
        guard let raw else { return nil }
        guard let cursor = PageCursor.decode(raw) else {
            throw ValidationError(field: "cursor", message: "cursor is not a valid page cursor")
        }
        return cursor
    }
}
