extension JSONValue {
    /// The compact JSON text of this value, object keys sorted by UTF-8 bytes.
    ///
    /// The output does not depend on dictionary order, so it can serve as a canonical form.
    public var serializedBytes: [UInt8] {
        var bytes: [UInt8] = []
        JSONEncoding.appendValue(self, to: &bytes)
        return bytes
    }

    /// `serializedBytes` as a string.
    public var serialized: String {
        String(decoding: serializedBytes, as: UTF8.self)
    }
}
