import NIOCore
import Testing
@testable import Redis

/// The hiredis encoder and reader, without a server.
@Suite struct RedisCodecTests {
    private func encoded(_ command: RedisCommand) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try HiredisCommandEncoder().encode(command, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    @Test func commandIsEncodedBinarySafe() throws {
        let bytes = try encoded(["SET", "Zoë", .bytes([0x00, 0x0D, 0x0A]), 42, ""])
        let expected = Array("*5\r\n$3\r\nSET\r\n$4\r\nZoë\r\n$3\r\n".utf8) + [0x00, 0x0D, 0x0A]
            + Array("\r\n$2\r\n42\r\n$0\r\n\r\n".utf8)
        #expect(bytes == expected)
    }

    @Test func emptyCommandIsRejected() throws {
        let error = try #require(throws: RedisError.self) { try encoded([]) }
        #expect(error.code == .invalidCommand)
    }

    @Test func encoderReusedForManyCommandsKeepsThemApart() throws {
        let encoder = HiredisCommandEncoder()
        var buffer = ByteBuffer()
        try encoder.encode(["GET", "a-long-key-name"], into: &buffer)
        try encoder.encode(["GET", "b"], into: &buffer)
        #expect(String(buffer: buffer) == "*2\r\n$3\r\nGET\r\n$15\r\na-long-key-name\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n")
    }

    /// Feeds the bytes one at a time, as a slow network might deliver them.
    private func decodeBytewise(_ text: [UInt8]) throws -> [RedisValue] {
        let decoder = HiredisReplyDecoder()
        var values: [RedisValue] = []
        for byte in text {
            try [byte].withUnsafeBytes { try decoder.feed($0) }
            while let value = try decoder.next() { values.append(value) }
        }
        return values
    }

    @Test func everyReplyTypeIsDecodedFromPartialReads() throws {
        let stream = Array("+OK\r\n-WRONGTYPE Operation against a key\r\n:-7\r\n$4\r\n".utf8) + [0x00, 0xFF, 0x0D, 0x0A]
            + Array("\r\n$-1\r\n*-1\r\n*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*0\r\n$0\r\n\r\n".utf8)
        let values = try decodeBytewise(stream)
        #expect(values == [
            .status("OK"),
            .error(RedisServerError(code: "WRONGTYPE", message: "Operation against a key")),
            .integer(-7),
            .bulk([0x00, 0xFF, 0x0D, 0x0A]),
            .null,
            .null,
            .array([.integer(1), .array([.bulk(Array("a".utf8)), .null]), .array([])]),
            .bulk([]),
        ])
    }

    @Test func garbageIsAProtocolError() throws {
        let decoder = HiredisReplyDecoder()
        try Array("?what\r\n".utf8).withUnsafeBytes { try decoder.feed($0) }
        let error = try #require(throws: RedisError.self) { try decoder.next() }
        #expect(error.code == .protocolError)
    }

    @Test(arguments: [
        ("NOSCRIPT No matching script. Please use EVAL.", "NOSCRIPT", "No matching script. Please use EVAL."),
        ("WRONGTYPE Operation against a key", "WRONGTYPE", "Operation against a key"),
        ("SOLD_OUT", "SOLD_OUT", ""),
        ("something went wrong", "ERR", "something went wrong"),
    ])
    func serverErrorIsSplitIntoCodeAndMessage(reply: String, code: String, message: String) {
        let error = RedisServerError(reply: reply)
        #expect(error.code == code)
        #expect(error.message == message)
    }
}
