import NIOCore

/// The generator's HTTP/1.1, written by hand: a request is laid out in one buffer, and an answer
/// is framed by its status line, `Content-Length` or chunked encoding, and `Connection`. NIO's
/// general codec (header dictionaries, a parser callback per header, a message per part) cost the
/// generator 26 µs of CPU per request against 19 µs now; a load tool on the same cores as the
/// server must stay cheap (README, "Where the time goes").
enum HTTP1Wire {
    /// Writes `request` as an HTTP/1.1 request with `Host: host`.
    static func encode(_ request: BenchRequest, host: String, into buffer: inout ByteBuffer) {
        buffer.writeString(request.method.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(request.uri)
        buffer.writeStaticString(" HTTP/1.1\r\nHost: ")
        buffer.writeString(host)
        for (name, value) in request.headers {
            buffer.writeStaticString("\r\n")
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
        }
        if let body = request.body {
            buffer.writeStaticString("\r\nContent-Type: application/json\r\nContent-Length: ")
            buffer.writeString(String(body.utf8.count))
            buffer.writeStaticString("\r\n\r\n")
            buffer.writeString(body)
        } else {
            buffer.writeStaticString("\r\n\r\n")
        }
    }

    /// An answer's framing is broken or beyond the limits.
    struct MalformedResponse: Error, Equatable {
        let reason: String
    }

    /// One complete answer.
    struct Response {
        var status: Int
        var body: ByteBuffer?
        /// False when the server closes the connection after this answer.
        var keepsAlive: Bool
    }

    /// Status line and headers longer than this are refused.
    static let headLimit = 64 * 1024
    /// Bodies longer than this are refused: the API's answers are small.
    static let bodyLimit = 16 * 1024 * 1024

    /// Takes the first complete answer off the front of `buffer`, or returns nil (consuming
    /// nothing) while it is incomplete. Interim (1xx) answers are skipped.
    static func takeResponse(from buffer: inout ByteBuffer) throws -> Response? {
        while true {
            var view = buffer
            guard let response = try parse(&view) else { return nil }
            buffer = view
            if (100..<200).contains(response.status) { continue }
            return response
        }
    }

    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    private static func parse(_ buffer: inout ByteBuffer) throws -> Response? {
        let bytes = buffer.readableBytesView
        guard let headEnd = endOfHead(in: bytes) else {
            if bytes.count > headLimit { throw MalformedResponse(reason: "headers longer than \(headLimit) bytes") }
            return nil
        }
        // Lines are found by hand: `split` would allocate an array per answer.
        var lineStart = bytes.startIndex
        func nextLine() -> ByteBufferView.SubSequence? {
            guard lineStart < headEnd else { return nil }
            let end = bytes[lineStart..<headEnd].firstIndex(of: lf) ?? headEnd
            defer { lineStart = end + 1 }
            return trimmingCR(bytes[lineStart..<end])
        }
        guard let statusLine = nextLine() else { throw MalformedResponse(reason: "no status line") }
        let (minorVersion, status) = try parseStatusLine(statusLine)
        var keepsAlive = minorVersion >= 1
        var contentLength: Int?
        var chunked = false
        while let line = nextLine() {
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw MalformedResponse(reason: "a header line without a colon")
            }
            let name = line[line.startIndex..<colon]
            let value = trimmingBlanks(line[line.index(after: colon)...])
            if equalsIgnoringCase(name, "content-length") {
                guard let length = decimal(value), contentLength == nil || contentLength == length else {
                    throw MalformedResponse(reason: "an invalid Content-Length")
                }
                contentLength = length
            } else if equalsIgnoringCase(name, "transfer-encoding") {
                chunked = tokens(value).contains { equalsIgnoringCase($0, "chunked") }
                if !chunked { throw MalformedResponse(reason: "a transfer coding other than chunked") }
            } else if equalsIgnoringCase(name, "connection") {
                for token in tokens(value) {
                    if equalsIgnoringCase(token, "close") { keepsAlive = false }
                    if equalsIgnoringCase(token, "keep-alive") { keepsAlive = true }
                }
            }
        }
        let bodyStart = headEnd + 4 - bytes.startIndex
        let noBody = (100..<200).contains(status) || status == 204 || status == 304
        if noBody {
            buffer.moveReaderIndex(forwardBy: bodyStart)
            return Response(status: status, body: nil, keepsAlive: keepsAlive)
        }
        if chunked {
            guard let (body, consumed) = try dechunk(bytes, from: bytes.startIndex + bodyStart) else { return nil }
            buffer.moveReaderIndex(forwardBy: consumed)
            return Response(status: status, body: body.readableBytes == 0 ? nil : body, keepsAlive: keepsAlive)
        }
        guard let length = contentLength else {
            // Reading to the close would need the connection's end; our server always frames.
            throw MalformedResponse(reason: "an answer with neither Content-Length nor chunked encoding")
        }
        guard length <= bodyLimit else { throw MalformedResponse(reason: "a body longer than \(bodyLimit) bytes") }
        guard bytes.count >= bodyStart + length else { return nil }
        buffer.moveReaderIndex(forwardBy: bodyStart)
        let body = length == 0 ? nil : buffer.readSlice(length: length)
        return Response(status: status, body: body, keepsAlive: keepsAlive)
    }

    /// The index of the `\r\n\r\n` that ends the head, if it has arrived.
    private static func endOfHead(in bytes: ByteBufferView) -> Int? {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index + 3 < end {
            if bytes[index + 3] != lf { index += 1; continue }
            if bytes[index] == cr, bytes[index + 1] == lf, bytes[index + 2] == cr { return index }
            index += 1
        }
        return nil
    }

    /// "HTTP/1.x SSS reason": the minor version and the status.
    private static func parseStatusLine(_ line: ByteBufferView.SubSequence) throws -> (Int, Int) {
        let prefix = Array("HTTP/1.".utf8)
        guard line.count >= 12, line.starts(with: prefix) else {
            throw MalformedResponse(reason: "not an HTTP/1 status line")
        }
        let start = line.startIndex
        guard let minor = digit(line[start + 7]), line[start + 8] == UInt8(ascii: " "),
            let hundreds = digit(line[start + 9]), let tens = digit(line[start + 10]), let units = digit(line[start + 11]),
            line.count == 12 || line[start + 12] == UInt8(ascii: " ")
        else { throw MalformedResponse(reason: "not an HTTP/1 status line") }
        return (minor, hundreds * 100 + tens * 10 + units)
    }

    /// Decodes a chunked body starting at `start`: the body and how many bytes of the buffer the
    /// whole answer took, or nil while the last chunk or the trailers have not arrived.
    private static func dechunk(_ bytes: ByteBufferView, from start: Int) throws -> (ByteBuffer, Int)? {
        var body = ByteBuffer()
        var index = start
        while true {
            guard let lineEnd = bytes[index...].firstIndex(of: lf) else { return nil }
            let sizeLine = trimmingCR(bytes[index..<lineEnd])
            let sizeText = sizeLine.prefix { $0 != UInt8(ascii: ";") }
            guard let size = hexadecimal(trimmingBlanks(sizeText)) else {
                throw MalformedResponse(reason: "an invalid chunk size")
            }
            index = lineEnd + 1
            if size == 0 {
                // Trailers, if any, up to an empty line.
                while true {
                    guard let end = bytes[index...].firstIndex(of: lf) else { return nil }
                    let line = trimmingCR(bytes[index..<end])
                    index = end + 1
                    if line.isEmpty { return (body, index - bytes.startIndex) }
                }
            }
            guard body.readableBytes + size <= bodyLimit else {
                throw MalformedResponse(reason: "a body longer than \(bodyLimit) bytes")
            }
            guard bytes.endIndex - index >= size + 2 else { return nil }
            body.writeBytes(bytes[index..<(index + size)])
            index += size
            guard bytes[index] == cr, bytes[index + 1] == lf else {
                throw MalformedResponse(reason: "a chunk not followed by CRLF")
            }
            index += 2
        }
    }

    private static func trimmingCR(_ line: ByteBufferView.SubSequence) -> ByteBufferView.SubSequence {
        line.last == cr ? line.dropLast() : line
    }

    private static func trimmingBlanks(_ text: ByteBufferView.SubSequence) -> ByteBufferView.SubSequence {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = text.firstIndex(where: { !isBlank($0) }) else { return text[text.endIndex...] }
        let last = text.lastIndex(where: { !isBlank($0) })!
        return text[first...last]
    }

    private static func tokens(_ value: ByteBufferView.SubSequence) -> [ByteBufferView.SubSequence] {
        value.split(separator: UInt8(ascii: ",")).map(trimmingBlanks)
    }

    /// ASCII case-insensitive comparison with a lowercase name.
    private static func equalsIgnoringCase(_ bytes: ByteBufferView.SubSequence, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        var index = bytes.startIndex
        for expected in UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount) {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
            if byte != expected { return false }
            index += 1
        }
        return true
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func decimal(_ text: ByteBufferView.SubSequence) -> Int? {
        guard !text.isEmpty, text.count <= 15 else { return nil }
        var value = 0
        for byte in text {
            guard let digit = digit(byte) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func hexadecimal(_ text: ByteBufferView.SubSequence) -> Int? {
        guard !text.isEmpty, text.count <= 12 else { return nil }
        var value = 0
        for byte in text {
            let nibble: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = Int(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            value = value * 16 + nibble
        }
        return value
    }
}
