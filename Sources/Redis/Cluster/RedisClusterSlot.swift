/// The hash slot of a key in a Redis Cluster: CRC16 (XMODEM: polynomial 0x1021, initial 0) of the
/// key modulo 16384, where a key holding a hash tag — the bytes between its first `{` and the
/// first `}` after it, when there is at least one — hashes by the tag alone. Keys with one tag
/// live on one node, so one Lua script may touch all of them (the seat keys share `{evt:ID}`).
public enum RedisClusterSlot {
    public static let count = 16_384

    /// The slot of `key`'s bytes.
    public static func of(key: some Collection<UInt8>) -> Int {
        let bytes = Array(key)
        return Int(crc16(hashed(bytes)) % UInt16(count))
    }

    /// The slot of `key`'s UTF-8 bytes.
    public static func of(key: String) -> Int {
        of(key: key.utf8)
    }

    /// The part of the key that is hashed: its tag, or the whole key.
    static func hashed(_ key: [UInt8]) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
              let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
              close > open + 1
        else { return key[...] }
        return key[(open + 1)..<close]
    }

    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = crc << 8 ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? crc << 1 ^ 0x1021 : crc << 1
        }
        return crc
    }
}
