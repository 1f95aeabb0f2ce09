// Hand-written rather than Foundation's `Data(base64Encoded:)`, which knows neither the URL-safe
// alphabet nor unpadded input, and accepts non-canonical trailing bits: a cursor must decode from
// exactly one spelling, or two cursors could name one page.

/// Base64url without padding (RFC 4648 §5), strict: only canonical encodings decode.
enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            appendSextets(of: group, count: 4, to: &output)
            index += 3
        }
        switch bytes.count - index {
        case 1: appendSextets(of: UInt32(bytes[index]) << 16, count: 2, to: &output)
        case 2: appendSextets(of: UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8, count: 3, to: &output)
        default: break
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendSextets(of group: UInt32, count: Int, to output: inout [UInt8]) {
        for position in 0..<count {
            output.append(alphabet[Int(group >> (18 - 6 * position) & 0x3F)])
        }
    }

    /// Decodes `text`, or `nil` for a character outside the alphabet, padding, an impossible
    /// length, or non-zero unused bits (which would let two strings name the same bytes).
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count * 3 / 4)
        var group: UInt32 = 0
        var sextets = 0
        for byte in utf8 {
            guard let value = sextet(of: byte) else { return nil }
            group = group << 6 | UInt32(value)
            sextets += 1
            if sextets == 4 {
                output.append(UInt8(group >> 16 & 0xFF))
                output.append(UInt8(group >> 8 & 0xFF))
                output.append(UInt8(group & 0xFF))
                group = 0
                sextets = 0
            }
        }
        switch sextets {
        case 2:
            guard group & 0x0F == 0 else { return nil }
            output.append(UInt8(group >> 4))
        case 3:
            guard group & 0x03 == 0 else { return nil }
            output.append(UInt8(group >> 10 & 0xFF))
            output.append(UInt8(group >> 2 & 0xFF))
        default:
            break
        }
        return output
    }

    private static func sextet(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
