/// Appends JSON to a byte buffer.
///
/// Containers are written through closures, so every `{` and `[` is closed and commas are
/// placed by the writer, never by the caller:
///
/// ```swift
/// var writer = JSONWriter()
/// writer.object { booking in
///     booking.field("id", 123)
///     booking.field("user_id", "Zoë")
///     booking.field("cancelled_at", nil as String?)
/// }
/// send(writer.bytes)
/// ```
///
/// Strings are escaped per RFC 8259 (`"`, `\`, and C0 controls); every other character,
/// non-ASCII included, is written as its UTF-8 bytes unchanged, so text round-trips byte for byte.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Continues after `bytes` (e.g. a response prefix already in the buffer).
    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    public mutating func string(_ value: String) { JSONEncoding.appendString(value, to: &bytes) }
    public mutating func int(_ value: Int) { JSONEncoding.appendInteger(Int64(value), to: &bytes) }
    public mutating func int(_ value: Int64) { JSONEncoding.appendInteger(value, to: &bytes) }
    public mutating func bool(_ value: Bool) { JSONEncoding.appendBool(value, to: &bytes) }
    public mutating func null() { JSONEncoding.appendNull(to: &bytes) }
    public mutating func number(_ value: JSONNumber) { bytes.append(contentsOf: value.literal.utf8) }
    public mutating func value(_ value: JSONValue) { JSONEncoding.appendValue(value, to: &bytes) }

    /// Writes `microsecondsSinceEpoch` as an RFC 3339 string (see `Timestamp`).
    public mutating func timestamp(microsecondsSinceEpoch: Int64) {
        bytes.append(UInt8(ascii: "\""))
        Timestamp.appendRFC3339Milliseconds(microsecondsSinceEpoch, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func object(_ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        try JSONObjectWriter.append(to: &bytes, body)
    }

    public mutating func array(_ body: (inout JSONArrayWriter) throws -> Void) rethrows {
        try JSONArrayWriter.append(to: &bytes, body)
    }
}
