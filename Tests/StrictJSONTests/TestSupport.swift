@testable import StrictJSON

/// The reason `text` fails to parse, or `nil` if it parses.
func parseFailure(_ text: String) -> JSONParseError.Reason? {
    parseFailure(Array(text.utf8))
}

func parseFailure(_ bytes: [UInt8]) -> JSONParseError.Reason? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error.reason
    }
}

func written(_ body: (inout JSONWriter) -> Void) -> String {
    var writer = JSONWriter()
    body(&writer)
    return String(decoding: writer.bytes, as: UTF8.self)
}

func nested(depth: Int) -> String {
    String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
}
