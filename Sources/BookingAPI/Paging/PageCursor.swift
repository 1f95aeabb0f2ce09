/// Where a page of a newest-first list ended: the `(created_at, id)` of its last row, for
/// keyset pagination (`WHERE (created_at, id) < ($1, $2)`).
///
/// The wire form is opaque to clients: base64url without padding of 17 bytes — a version byte
/// (1), then `created_at` in microseconds and `id`, each as a big-endian Int64. That is 23
/// URL-safe characters; a future format bumps the version byte.
public struct PageCursor: Hashable, Sendable {
    /// `created_at` of the last row, in microseconds since 1970 (PostgreSQL's precision).
    public var createdAtMicroseconds: Int64
    /// `id` of the last row.
    public var id: Int64

    public init(createdAtMicroseconds: Int64, id: Int64) {
        self.createdAtMicroseconds = createdAtMicroseconds
        self.id = id
    }

    static let version: UInt8 = 1
    static let byteCount = 17

    public func encode() -> String {
        var bytes: [UInt8] = [Self.version]
        bytes.reserveCapacity(Self.byteCount)
        Self.appendBigEndian(createdAtMicroseconds, to: &bytes)
        Self.appendBigEndian(id, to: &bytes)
        return Base64URL.encode(bytes)
    }

    /// Decodes a cursor made by `encode()`; `nil` for anything else: bad base64url, wrong
    /// length or version, or an id outside 1 … 2^53 − 1.
    public static func decode(_ text: some StringProtocol) -> PageCursor? {
        guard text.utf8.count == 23,
              let bytes = Base64URL.decode(text),
              bytes.count == byteCount,
              bytes[0] == version
        else { return nil }
        let cursor = PageCursor(
            createdAtMicroseconds: readBigEndian(bytes, at: 1),
            id: readBigEndian(bytes, at: 9)
        )
        guard (1...Validate.maxID).contains(cursor.id) else { return nil }
        return cursor
    }

    private static func appendBigEndian(_ value: Int64, to bytes: inout [UInt8]) {
        let bits = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    private static func readBigEndian(_ bytes: [UInt8], at offset: Int) -> Int64 {
        var bits: UInt64 = 0
        for index in offset..<offset + 8 {
            bits = bits << 8 | UInt64(bytes[index])
        }
        return Int64(bitPattern: bits)
    }
}
