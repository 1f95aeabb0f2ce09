// Hand-written rather than Foundation's `removingPercentEncoding`, which turns nothing into an
// error the API can name and decodes `+` in a query as a space (URLComponents), while here a
// malformed escape or invalid UTF-8 is a 400 and `+` is always a plus sign.

import StrictJSON

/// Percent-decoding of request-target parts.
///
/// `+` is a plus sign everywhere, in the query too: the API treats a `+` in
/// `/api/bookings/user/{user_id}` as a plus sign, and decoding `?user_id=` the same way means a
/// user id reads the same in the path and in the query. Clients encode a space as `%20`.
public enum URLDecoding {
    /// Decodes `%XX` escapes (hex digits in either case) as UTF-8 bytes.
    /// Returns `nil` for a malformed escape or when the decoded bytes are not valid UTF-8.
    public static func pathSegment(_ raw: Substring) -> String? {
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return String(raw) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(HexDigit.value(of:)),
                  let low = iterator.next().flatMap(HexDigit.value(of:))
            else { return nil }
            decoded.append(high << 4 | low)
        }
        return String(validating: decoded, as: UTF8.self)
    }

    /// Splits a raw query (without `?`) on `&`, then each item on its first `=`, and decodes both
    /// sides like `pathSegment(_:)`. An item without `=` has an empty value; empty items
    /// (`a=1&&b=2`) are skipped. Returns `nil` if any part is malformed.
    public static func queryItems(_ rawQuery: Substring) -> [QueryItem]? {
        var items: [QueryItem] = []
        for rawItem in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let rawName: Substring
            let rawValue: Substring
            if let equals = rawItem.firstIndex(of: "=") {
                rawName = rawItem[..<equals]
                rawValue = rawItem[rawItem.index(after: equals)...]
            } else {
                rawName = rawItem
                rawValue = ""
            }
            guard let name = pathSegment(rawName), let value = pathSegment(rawValue) else { return nil }
            items.append(QueryItem(name: name, value: value))
        }
        return items
    }
}
