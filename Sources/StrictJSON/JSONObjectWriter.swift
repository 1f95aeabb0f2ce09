/// Writes the members of one JSON object; obtained from `JSONWriter.object(_:)` and friends.
///
/// Keys are escaped like any string. The writer does not check for duplicate keys.
public struct JSONObjectWriter: Sendable {
    var bytes: [UInt8]
    private var isEmpty = true

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Appends `{...}` with the members `body` writes. The buffer moves into the nested writer
    /// and back, so appending in `body` never copies it.
    static func append(to bytes: inout [UInt8], _ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        var members = JSONObjectWriter(bytes: [])
        swap(&members.bytes, &bytes)
        defer { swap(&members.bytes, &bytes) }
        members.bytes.append(UInt8(ascii: "{"))
        try body(&members)
        members.bytes.append(UInt8(ascii: "}"))
    }

    /// Writes the comma (when needed), the key and the colon.
    private mutating func key(_ key: String) {
        if isEmpty { isEmpty = false } else { bytes.append(UInt8(ascii: ",")) }
        JSONEncoding.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func field(_ name: String, _ value: String) {
        key(name)
        JSONEncoding.appendString(value, to: &bytes)
    }

    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        JSONEncoding.appendInteger(Int64(value), to: &bytes)
    }

    public mutating func field(_ name: String, _ value: Int64) {
        key(name)
        JSONEncoding.appendInteger(value, to: &bytes)
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        JSONEncoding.appendBool(value, to: &bytes)
    }

    public mutating func field(_ name: String, _ value: JSONNumber) {
        key(name)
        bytes.append(contentsOf: value.literal.utf8)
    }

    public mutating func field(_ name: String, _ value: JSONValue) {
        key(name)
        JSONEncoding.appendValue(value, to: &bytes)
    }

    /// Writes `null` when `value` is `nil`.
    public mutating func field(_ name: String, _ value: String?) {
        if let value { field(name, value) } else { nullField(name) }
    }

    /// Writes `null` when `value` is `nil`.
    public mutating func field(_ name: String, _ value: Int?) {
        if let value { field(name, value) } else { nullField(name) }
    }

    /// Writes `null` when `value` is `nil`.
    public mutating func field(_ name: String, _ value: Int64?) {
        if let value { field(name, value) } else { nullField(name) }
    }

    public mutating func nullField(_ name: String) {
        key(name)
        JSONEncoding.appendNull(to: &bytes)
    }

    /// Writes an RFC 3339 timestamp (see `Timestamp`), or `null` when `nil`.
    public mutating func timestampField(_ name: String, microsecondsSinceEpoch: Int64?) {
        key(name)
        if let microsecondsSinceEpoch {
            bytes.append(UInt8(ascii: "\""))
            Timestamp.appendRFC3339Milliseconds(microsecondsSinceEpoch, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        } else {
            JSONEncoding.appendNull(to: &bytes)
        }
    }

    public mutating func objectField(_ name: String, _ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        key(name)
        let outerIsEmpty = isEmpty
        // Reuse this writer for the nested members: no buffer copy, only the comma state changes.
        isEmpty = true
        bytes.append(UInt8(ascii: "{"))
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
        isEmpty = outerIsEmpty
    }

    public mutating func arrayField(_ name: String, _ body: (inout JSONArrayWriter) throws -> Void) rethrows {
        key(name)
        try JSONArrayWriter.append(to: &bytes, body)
    }
}
