/// Writes the elements of one JSON array; obtained from `JSONWriter.array(_:)` and friends.
public struct JSONArrayWriter: Sendable {
    var bytes: [UInt8]
    private var isEmpty = true

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Appends `[...]` with the elements `body` writes, moving the buffer in and out like
    /// `JSONObjectWriter.append(to:_:)`.
    static func append(to bytes: inout [UInt8], _ body: (inout JSONArrayWriter) throws -> Void) rethrows {
        var elements = JSONArrayWriter(bytes: [])
        swap(&elements.bytes, &bytes)
        defer { swap(&elements.bytes, &bytes) }
        elements.bytes.append(UInt8(ascii: "["))
        try body(&elements)
        elements.bytes.append(UInt8(ascii: "]"))
    }

    private mutating func separate() {
        if isEmpty { isEmpty = false } else { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func string(_ value: String) {
        separate()
        JSONEncoding.appendString(value, to: &bytes)
    }

    public mutating func int(_ value: Int) {
        separate()
        JSONEncoding.appendInteger(Int64(value), to: &bytes)
    }

    public mutating func int(_ value: Int64) {
        separate()
        JSONEncoding.appendInteger(value, to: &bytes)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        JSONEncoding.appendBool(value, to: &bytes)
    }

    public mutating func null() {
        separate()
        JSONEncoding.appendNull(to: &bytes)
    }

    public mutating func value(_ value: JSONValue) {
        separate()
        JSONEncoding.appendValue(value, to: &bytes)
    }

    public mutating func object(_ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        separate()
        try JSONObjectWriter.append(to: &bytes, body)
    }

    public mutating func array(_ body: (inout JSONArrayWriter) throws -> Void) rethrows {
        separate()
        let outerIsEmpty = isEmpty
        isEmpty = true
        bytes.append(UInt8(ascii: "["))
        try body(&self)
        bytes.append(UInt8(ascii: "]"))
        isEmpty = outerIsEmpty
    }
}
