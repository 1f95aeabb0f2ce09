/// Writes the elements of one JSON array; obtained from `JSONWriter.array(_:)` and friends.
public struct JSONArrayWriter: Sendable {
    var bytes: [UInt8]
    private var isEmpty = true

    init(bytes: [UInt8]) {
        self.bytes = bytes
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
        var members = JSONObjectWriter(bytes: [])
        swap(&members.bytes, &bytes)
        defer { swap(&members.bytes, &bytes) }
        members.bytes.append(UInt8(ascii: "{"))
        try body(&members)
        members.bytes.append(UInt8(ascii: "}"))
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
