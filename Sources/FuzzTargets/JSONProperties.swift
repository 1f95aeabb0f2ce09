import StrictJSON

/// What `JSONParser` must do with any bytes: refuse them with a `JSONParseError`, or give a value
/// whose written form parses back to an equal value that is written the same, byte for byte. So
/// the writer and the parser agree on every string (escapes, surrogate pairs, every scalar),
/// number literal and nesting the parser accepts, and nothing the parser accepts breaks the writer.
enum JSONProperties {
    static func check(_ input: [UInt8]) throws(PropertyFailure) {
        guard let value = try? JSONParser.parse(input) else { return }
        let written = write(value)
        let reparsed: JSONValue
        do {
            reparsed = try JSONParser.parse(written)
        } catch {
            throw PropertyFailure("the parser refuses what the writer wrote (\(error)): \(printable(written))")
        }
        let rewritten = write(reparsed)
        guard rewritten == written else {
            throw PropertyFailure("a value written twice differs: \(printable(written)) then \(printable(rewritten))")
        }
        guard reparsed == value else {
            throw PropertyFailure("a value read back differs from the one written: \(printable(written))")
        }
    }

    static func write(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(value)
        return writer.bytes
    }
}

/// Bytes for a failure message: as text where they are UTF-8, else in hex.
func printable(_ bytes: some Sequence<UInt8>) -> String {
    let array = Array(bytes)
    if let text = String(validating: array, as: UTF8.self) { return "\"\(text)\"" }
    return array.map { String($0, radix: 16) }.joined(separator: " ")
}
