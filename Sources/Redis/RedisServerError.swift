/// An error reply from Redis (`-WRONGTYPE Operation against a key ...`), split into the code that
/// callers branch on and the human-readable message.
public struct RedisServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The first word of the reply by Redis convention: `ERR`, `WRONGTYPE`, `NOSCRIPT`, `BUSY`, ...
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// Parses the text of an error reply. A reply whose first word is not an upper-case code
    /// (some modules do that) gets the generic code `ERR` and keeps its whole text.
    public init(reply: String) {
        let firstWord = reply.prefix { $0 != " " }
        let isCode = !firstWord.isEmpty && firstWord.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        if isCode {
            self.init(code: String(firstWord), message: String(reply.dropFirst(firstWord.count + 1)))
        } else {
            self.init(code: "ERR", message: reply)
        }
    }

    public var description: String { message.isEmpty ? code : "\(code) \(message)" }
}
