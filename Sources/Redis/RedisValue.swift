/// A reply from Redis (RESP2), typed.
public enum RedisValue: Sendable, Hashable {
    /// A simple string reply such as `OK` or `PONG`.
    case status(String)
    /// An error reply. ``RedisConnection/send(_:)-(RedisCommand)`` throws it instead; it appears as
    /// a value only inside arrays and pipeline results.
    case error(RedisServerError)
    case integer(Int64)
    /// A bulk string: arbitrary bytes, binary-safe.
    case bulk([UInt8])
    case array([RedisValue])
    /// A nil bulk string or nil array (`GET` of a missing key).
    case null
}

extension RedisValue {
    /// The integer of an integer reply, or of a bulk string holding a decimal number (`GET` of a
    /// counter); otherwise nil.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The text of a status reply, or a bulk string decoded as UTF-8 (nil if it is not valid UTF-8).
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk string or a status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { values } else { nil }
    }

    public var isNull: Bool { self == .null }

    /// Like ``int``, but throws ``RedisError/Code/unexpectedReply`` for a reply of another type.
    public func expectInt() throws -> Int64 {
        guard let value = int else { throw RedisError.unexpectedReply(expected: "an integer", actual: self) }
        return value
    }

    /// Like ``string``, but throws ``RedisError/Code/unexpectedReply`` for a reply of another type.
    public func expectString() throws -> String {
        guard let value = string else { throw RedisError.unexpectedReply(expected: "a UTF-8 string", actual: self) }
        return value
    }

    /// Like ``bytes``, but throws ``RedisError/Code/unexpectedReply`` for a reply of another type.
    public func expectBytes() throws -> [UInt8] {
        guard let value = bytes else { throw RedisError.unexpectedReply(expected: "a bulk string", actual: self) }
        return value
    }

    /// Like ``array``, but throws ``RedisError/Code/unexpectedReply`` for a reply of another type.
    public func expectArray() throws -> [RedisValue] {
        guard let value = array else { throw RedisError.unexpectedReply(expected: "an array", actual: self) }
        return value
    }
}

extension RedisValue: CustomStringConvertible {
    /// Short and safe to log: long bulk strings are cut, binary ones shown by size.
    public var description: String {
        switch self {
        case .status(let text): return "status \(text)"
        case .error(let error): return "error \(error)"
        case .integer(let value): return "integer \(value)"
        case .null: return "null"
        case .array(let values): return "array of \(values.count)"
        case .bulk(let bytes):
            guard let text = String(validating: bytes.prefix(64), as: UTF8.self) else {
                return "bulk of \(bytes.count) bytes"
            }
            return bytes.count > 64 ? "bulk \"\(text)…\" (\(bytes.count) bytes)" : "bulk \"\(text)\""
        }
    }
}
