import BookingAPI

/// What percent-decoding and the `user_id` rules must do with any request-target text:
/// - text without `%` decodes to itself;
/// - whatever decodes, decodes again to the same bytes after it is escaped (each byte as `%XX`,
///   hex digits in either case) — so the decoder reads every escape and nothing else;
/// - `Validate.userID` accepts exactly 1 … 128 Unicode scalars none of which is a control
///   character (general category Cc), and keeps them byte for byte;
/// - a query string splits on `&` into as many items as it has non-empty parts, each side decoded
///   as a path segment is, or is refused as a whole when any part is malformed.
enum UserIDProperties {
    static func check(_ input: [UInt8]) throws(PropertyFailure) {
        let raw = String(decoding: input, as: UTF8.self)
        try checkPathSegment(raw, upperCaseHex: input.first.map { $0 & 1 == 0 } ?? true)
        try checkQuery(raw)
    }

    static func checkPathSegment(_ raw: String, upperCaseHex: Bool) throws(PropertyFailure) {
        guard let decoded = URLDecoding.pathSegment(raw[...]) else {
            guard raw.utf8.contains(UInt8(ascii: "%")) else {
                throw PropertyFailure("text without an escape was refused: \(printable(raw.utf8))")
            }
            return
        }
        if !raw.utf8.contains(UInt8(ascii: "%")), !decoded.utf8.elementsEqual(raw.utf8) {
            throw PropertyFailure("text without an escape changed: \(printable(raw.utf8))")
        }
        let escaped = escapeEveryByte(of: decoded, upperCase: upperCaseHex)
        guard let again = URLDecoding.pathSegment(escaped[...]), again.utf8.elementsEqual(decoded.utf8) else {
            throw PropertyFailure("escaped bytes did not decode to themselves: \(escaped)")
        }
        try checkUserIDRules(decoded)
    }

    static func checkUserIDRules(_ text: String) throws(PropertyFailure) {
        let scalars = text.unicodeScalars
        let expected = (1...Validate.maxUserIDLength).contains(scalars.count)
            && !scalars.contains { $0.properties.generalCategory == .control }
        guard let accepted = try? Validate.userID(text) else {
            guard !expected else { throw PropertyFailure("a valid user_id refused: \(printable(text.utf8))") }
            return
        }
        guard expected else { throw PropertyFailure("user_id accepted against the rules: \(printable(text.utf8))") }
        guard accepted.utf8.elementsEqual(text.utf8) else {
            throw PropertyFailure("an accepted user_id changed: \(printable(text.utf8))")
        }
    }

    static func checkQuery(_ raw: String) throws(PropertyFailure) {
        let parts = raw.split(separator: "&", omittingEmptySubsequences: true)
        guard let items = URLDecoding.queryItems(raw[...]) else {
            let decodable = parts.allSatisfy { part in
                let equals = part.firstIndex(of: "=")
                let name = equals.map { part[..<$0] } ?? part
                let value = equals.map { part[part.index(after: $0)...] } ?? ""
                return URLDecoding.pathSegment(name) != nil && URLDecoding.pathSegment(value) != nil
            }
            if decodable { throw PropertyFailure("a query of decodable parts was refused: \(printable(raw.utf8))") }
            return
        }
        guard items.count == parts.count else {
            throw PropertyFailure("\(parts.count) query parts gave \(items.count) items: \(printable(raw.utf8))")
        }
        for (item, part) in zip(items, parts) {
            let equals = part.firstIndex(of: "=")
            let name = URLDecoding.pathSegment(equals.map { part[..<$0] } ?? part)
            let value = URLDecoding.pathSegment(equals.map { part[part.index(after: $0)...] } ?? "")
            guard name.map({ $0.utf8.elementsEqual(item.name.utf8) }) == true,
                  value.map({ $0.utf8.elementsEqual(item.value.utf8) }) == true
            else { throw PropertyFailure("a query item differs from its part decoded alone: \(part)") }
        }
        // At most once, as the endpoints read it.
        let named = items.filter { $0.name.utf8.elementsEqual("user_id".utf8) }
        let value: String?
        do {
            value = try items.singleValue(named: "user_id")
        } catch {
            guard named.count > 1 else { throw PropertyFailure("a single user_id refused: \(printable(raw.utf8))") }
            return
        }
        guard named.count <= 1, value?.utf8.elementsEqual(named.first?.value.utf8 ?? "".utf8) ?? named.isEmpty else {
            throw PropertyFailure("user_id read as \(String(describing: value)) from \(named.count) items")
        }
    }

    static func escapeEveryByte(of text: String, upperCase: Bool) -> String {
        let digits = Array((upperCase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            bytes.append(UInt8(ascii: "%"))
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
