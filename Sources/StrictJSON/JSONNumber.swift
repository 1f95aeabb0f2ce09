/// A JSON number kept exactly as written, so `7`, `7.0`, `7e0` and `-0` stay distinguishable.
///
/// Equality compares the literal text: `7` and `7.0` are different numbers here, because the
/// API rejects the second where an integer is required.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The literal text, valid per RFC 8259 (`-? int frac? exp?`).
    public let literal: String

    /// Wraps a literal the parser has already checked.
    init(uncheckedLiteral: String) {
        self.literal = uncheckedLiteral
    }

    /// Wraps `literal` if it is a valid RFC 8259 number, else `nil`.
    public init?(literal: String) {
        var copy = literal
        let isValid = copy.withUTF8 { JSONNumberGrammar.validLength(of: $0, from: 0) == $0.count }
        guard isValid else { return nil }
        self.literal = literal
    }

    public init(_ value: Int64) {
        self.literal = String(value)
    }

    public init(_ value: Int) {
        self.literal = String(value)
    }

    /// True when the literal is an optional `-` followed by digits: no fraction, no exponent.
    public var isInteger: Bool {
        literal.utf8.allSatisfy { $0 == UInt8(ascii: "-") || JSONNumberGrammar.isDigit($0) }
    }

    /// The exact value of an integer literal that fits in `Int64`, else `nil`
    /// (fractions and exponents give `nil` even when `7.0` or `7e0` is mathematically whole).
    public var int64Value: Int64? {
        guard isInteger else { return nil }
        return Int64(literal)
    }

    public var description: String { literal }
}

/// The RFC 8259 number grammar, shared by the parser and `JSONNumber.init?(literal:)`.
package enum JSONNumberGrammar {
    @inline(__always)
    package static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// The length of the longest valid number at `start`, or `nil` if none starts there.
    /// A number followed directly by more digits (`01`) is left for the caller to reject.
    static func validLength(of bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        let end = bytes.count
        if index < end, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end, isDigit(bytes[index]) else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < end, isDigit(bytes[index]) { index += 1 }
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < end, isDigit(bytes[index]) else { return nil }
            while index < end, isDigit(bytes[index]) { index += 1 }
        }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < end, isDigit(bytes[index]) else { return nil }
            while index < end, isDigit(bytes[index]) { index += 1 }
        }
        return index - start
    }
}
