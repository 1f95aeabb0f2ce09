/// One argument of a command, binary-safe. Literals work directly:
/// `send("SET", .string(key), .bytes(payload))`, `send("EXPIRE", .string(key), 30)`.
public enum RedisArgument: Sendable, Hashable {
    /// Sent as its UTF-8 bytes.
    case string(String)
    case bytes([UInt8])
    /// Sent in decimal, as Redis expects numbers.
    case integer(Int)
}

extension RedisArgument: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension RedisArgument: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .integer(value) }
}
