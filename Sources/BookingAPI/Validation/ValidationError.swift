/// A request value that breaks the API's rules; the HTTP layer answers `400 INVALID_REQUEST`.
public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The body field, path parameter, query parameter or header at fault, if any.
    public let field: String?
    /// A short sentence that is safe to show to a client: it never quotes the offending value.
    public let message: String

    public init(field: String?, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }

    static func missing(_ field: String) -> ValidationError {
        ValidationError(field: field, message: "\(field) is required")
    }
}

extension ValidationError {
    /// For a query string that `URLDecoding.queryItems(_:)` could not decode.
    public static let malformedQuery = ValidationError(field: nil, message: "query string has a malformed percent-escape")
}
