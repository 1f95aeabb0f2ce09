/// ASCII hexadecimal digits, for `\u` escapes and percent-encoding.
package enum HexDigit {
    /// The value of `byte` as a hex digit (either case), or `nil`.
    @inline(__always)
    package static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    package static let uppercase: [UInt8] = Array("0123456789ABCDEF".utf8)
}
