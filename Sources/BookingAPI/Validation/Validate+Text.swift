import StrictJSON
extension Validate {
    public static let maxUserIDLength = 128
    public static let maxEventNameLength = 200
    public static let maxIdempotencyKeyLength = 128

    /// A user id: 1 … 128 Unicode scalars, none a control character (category Cc).
    /// Everything else, format characters such as U+200B included, is kept byte for byte.
    public static func userID(_ string: String, field: String = "user_id") throws(ValidationError) -> String {
        try text(string, field: field, maxScalars: maxUserIDLength)
    }

    /// A user id in a body: must be present and a string, then as `userID(_:field:)`.
    public static func userID(from json: JSONValue?, field: String = "user_id") throws(ValidationError) -> String {
        try userID(string(from: json, field: field), field: field)
    }

    /// An event name: 1 … 200 Unicode scalars, no control character.
    public static func eventName(_ string: String, field: String = "name") throws(ValidationError) -> String {
        try text(string, field: field, maxScalars: maxEventNameLength)
    }

    /// An event name in a body: must be present and a string, then as `eventName(_:field:)`.
    public static func eventName(from json: JSONValue?, field: String = "name") throws(ValidationError) -> String {
        try eventName(string(from: json, field: field), field: field)
    }

    /// An `Idempotency-Key` header: 1 … 128 visible ASCII characters (0x21 … 0x7E).
    public static func idempotencyKey(_ string: String, field: String = "Idempotency-Key") throws(ValidationError) -> String {
        let utf8 = string.utf8
        guard (1...maxIdempotencyKeyLength).contains(utf8.count),
              utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            throw ValidationError(field: field, message: "\(field) must be 1 to \(maxIdempotencyKeyLength) visible ASCII characters")
        }
        return string
    }

    private static func string(from json: JSONValue?, field: String) throws(ValidationError) -> String {
        guard let json else { throw .missing(field) }
        guard case .string(let string) = json else {
            throw ValidationError(field: field, message: "\(field) must be a string")
        }
        return string
    }

    /// Counts scalars and looks for Cc on the UTF-8 bytes directly: Cc is C0 (< 0x20), DEL
    /// (0x7F) and C1 (U+0080 … U+009F, encoded `C2 80` … `C2 9F`).
    private static func text(_ string: String, field: String, maxScalars: Int) throws(ValidationError) -> String {
        var copy = string
        let outcome: TextCheck = copy.withUTF8 { utf8 in
            var scalars = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                if byte & 0xC0 != 0x80 {
                    scalars += 1
                    if scalars > maxScalars { return .wrongLength }
                }
                if byte < 0x20 || byte == 0x7F { return .controlCharacter }
                if byte == 0xC2, index + 1 < utf8.count, utf8[index + 1] <= 0x9F { return .controlCharacter }
            }
            return scalars == 0 ? .wrongLength : .valid
        }
        switch outcome {
        case .valid:
            return string
        case .wrongLength:
            throw ValidationError(field: field, message: "\(field) must be 1 to \(maxScalars) characters long")
        case .controlCharacter:
            throw ValidationError(field: field, message: "\(field) must not contain control characters")
        }
    }

    private enum TextCheck {
        case valid, wrongLength, controlCharacter
    }
}
