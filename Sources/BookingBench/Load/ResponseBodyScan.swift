/// Reads the one or two fields a workload needs from an answer's JSON without parsing all of it:
/// the generator must stay cheaper than the server it measures.
enum ResponseBodyScan {
    /// The `code` of an error envelope (`{"success":false,"code":"SOLD_OUT",...}`), if any.
    static func errorCode<Body: Collection<UInt8>>(in body: Body) -> String? {
        guard let value = valueStart(of: "code", in: body), body[value] == UInt8(ascii: "\"") else { return nil }
        let start = body.index(after: value)
        guard let end = body[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: body[start..<end], as: UTF8.self)
    }

    /// The first integer field named `name` (in a reserve answer, `id` is the booking's id: the
    /// booking object is the first that carries one).
    static func integer<Body: Collection<UInt8>>(_ name: String, in body: Body) -> Int? {
        guard var index = valueStart(of: name, in: body) else { return nil }
        var value = 0
        var digits = 0
        while index != body.endIndex, digits < 18, let digit = digitValue(body[index]) {
            value = value * 10 + digit
            digits += 1
            index = body.index(after: index)
        }
        return digits == 0 ? nil : value
    }

    /// Where the value of the first `"name":` begins, past blanks.
    private static func valueStart<Body: Collection<UInt8>>(of name: String, in body: Body) -> Body.Index? {
        let key = Array("\"\(name)\"".utf8)
        var index = body.startIndex
        while let quote = body[index...].firstIndex(of: UInt8(ascii: "\"")) {
            if body[quote...].starts(with: key) {
                let colon = skipBlanks(in: body, from: body.index(quote, offsetBy: key.count))
                if colon != body.endIndex, body[colon] == UInt8(ascii: ":") {
                    let value = skipBlanks(in: body, from: body.index(after: colon))
                    return value == body.endIndex ? nil : value
                }
            }
            index = body.index(after: quote)
        }
        return nil
    }

    private static func skipBlanks<Body: Collection<UInt8>>(in body: Body, from start: Body.Index) -> Body.Index {
        var index = start
        while index != body.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index = body.index(after: index) }
        return index
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
