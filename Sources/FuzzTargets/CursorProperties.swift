import BookingAPI

/// What the page cursor must do with any `?cursor=` text: decode only from the one spelling that
/// `encode()` gives (so two texts never name one page), only to ids of 1 … 2^53 − 1, and agree
/// with `PageRequest.cursor`; and every cursor of a valid id encodes to 23 URL-safe characters
/// that decode back to it.
enum CursorProperties {
    static func check(_ input: [UInt8]) throws(PropertyFailure) {
        let text = String(decoding: input, as: UTF8.self)
        let decoded = PageCursor.decode(text)
        if let decoded {
            guard decoded.encode() == text else {
                throw PropertyFailure("cursor \(text) decodes but encodes as \(decoded.encode())")
            }
            guard (1...Validate.maxID).contains(decoded.id) else {
                throw PropertyFailure("cursor \(text) decodes to id \(decoded.id)")
            }
        }
        let requested = try? PageRequest.cursor(text)
        guard requested == decoded else {
            throw PropertyFailure("PageRequest.cursor and PageCursor.decode disagree on \(text)")
        }

        guard input.count >= 16 else { return }
        let cursor = PageCursor(createdAtMicroseconds: int64(input, at: 0), id: int64(input, at: 8))
        let encoded = cursor.encode()
        let urlSafe = encoded.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }
        guard encoded.utf8.count == 23, urlSafe else { throw PropertyFailure("cursor encoded as \(encoded)") }
        let expected: PageCursor? = (1...Validate.maxID).contains(cursor.id) ? cursor : nil
        guard PageCursor.decode(encoded) == expected else {
            throw PropertyFailure("cursor (\(cursor.createdAtMicroseconds), \(cursor.id)) did not round-trip through \(encoded)")
        }
    }

    private static func int64(_ bytes: [UInt8], at offset: Int) -> Int64 {
        var bits: UInt64 = 0
        for index in offset..<offset + 8 { bits = bits << 8 | UInt64(bytes[index]) }
        return Int64(bitPattern: bits)
    }
}
