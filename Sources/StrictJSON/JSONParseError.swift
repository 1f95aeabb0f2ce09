/// Why a JSON text was rejected, and where.
///
/// The message is a fixed phrase that never quotes the input, so it is safe to show to a
/// client and cannot grow with a hostile body.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case emptyInput
        case unexpectedEnd
        case unexpectedCharacter
        case invalidLiteral
        case invalidNumber
        case leadingZero
        case controlCharacterInString
        case invalidEscape
        case loneSurrogate
        case invalidUTF8
        case tooDeep
        case trailingData
    }

    public let reason: Reason
    /// Byte offset into the input where the problem was found.
    public let offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var message: String {
        switch reason {
        case .emptyInput: "empty input"
        case .unexpectedEnd: "unexpected end of input"
        case .unexpectedCharacter: "unexpected character"
        case .invalidLiteral: "invalid literal"
        case .invalidNumber: "invalid number"
        case .leadingZero: "number with a leading zero"
        case .controlCharacterInString: "unescaped control character in string"
        case .invalidEscape: "invalid escape sequence"
        case .loneSurrogate: "unpaired UTF-16 surrogate in \\u escape"
        case .invalidUTF8: "invalid UTF-8"
        case .tooDeep: "nesting too deep"
        case .trailingData: "unexpected data after the JSON value"
        }
    }

    public var description: String { "\(message) at byte \(offset)" }
}
