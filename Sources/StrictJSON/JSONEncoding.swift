/// The byte-level encoders behind `JSONWriter` and its container writers.
enum JSONEncoding {
    static func appendString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Copy runs of bytes that need no escape in one go.
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscape(of: byte, to: &bytes)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(of byte: UInt8, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            appendASCII("u00", to: &bytes)
            bytes.append(HexDigit.uppercase[Int(byte >> 4)])
            bytes.append(HexDigit.uppercase[Int(byte & 0x0F)])
        }
    }

    static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(of: value.magnitude, minimumWidth: 1, to: &bytes)
    }

    /// Appends the decimal digits of `value`, zero-padded to `minimumWidth`, without allocating.
    static func appendDigits(of value: UInt64, minimumWidth: Int, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var remaining = value
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining != 0 || digits.count - start < minimumWidth
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    static func appendBool(_ value: Bool, to bytes: inout [UInt8]) {
        appendASCII(value ? "true" : "false", to: &bytes)
    }

    static func appendNull(to bytes: inout [UInt8]) {
        appendASCII("null", to: &bytes)
    }

    /// Appends a literal without building an intermediate array.
    @inline(__always)
    static func appendASCII(_ literal: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Writes `value` compactly, object keys sorted by their UTF-8 bytes so the output does not
    /// depend on dictionary order.
    static func appendValue(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (position, key) in keys.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                appendString(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                appendValue(members[key]!, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                appendValue(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .string(let string): appendString(string, to: &bytes)
        case .number(let number): bytes.append(contentsOf: number.literal.utf8)
        case .bool(let bool): appendBool(bool, to: &bytes)
        case .null: appendNull(to: &bytes)
        }
    }
}
