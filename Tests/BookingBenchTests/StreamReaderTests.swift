import NIOCore
import NIOEmbedded
import Testing

@testable import BookingBench

/// The readers of `--subscribers`: a stream's bytes, however the network cuts them, give the map
/// the events describe; a layout the reader does not know fails it rather than being guessed.
@Suite("Stream readers")
struct StreamReaderTests {
    static let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"

    static func chunk(_ text: String) -> String {
        String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n"
    }

    static let events = [
        "event: snapshot\nid: 4\ndata: {\"event_id\":1,\"total_seats\":5,\"version\":4,\"seats\":\"02010\"}\n\n",
        ": ping\n\n",
        "event: seats\nid: 6\ndata: {\"version\":6,\"changes\":[{\"seat_no\":1,\"state\":\"taken\"},{\"seat_no\":4,\"state\":\"held\"}]}\n\n",
        "event: seats\nid: 7\ndata: {\"version\":7,\"changes\":[{\"seat_no\":2,\"state\":\"free\"}]}\n\n",
    ]

    /// Feeds `bytes` to a reader in pieces of `size` bytes (the last one shorter).
    static func read(_ bytes: [UInt8], inPiecesOf size: Int) throws -> StreamSubscribers.ReaderState {
        let reader = StreamReader(eventID: 1, host: "127.0.0.1")
        let channel = EmbeddedChannel(handler: reader)
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            try channel.writeInbound(ByteBuffer(bytes: bytes[start..<end]))
            start = end
        }
        return reader.state
    }

    @Test(arguments: [1, 2, 3, 7, 64, 100_000])
    func theMapFollowsTheEventsWhereverTheReadsAreCut(_ size: Int) throws {
        // Two events in one chunk, one event over two chunks.
        let third = Array(Self.events[2].utf8)
        let body = Self.chunk(Self.events[0] + Self.events[1])
            + Self.chunk(String(decoding: third[..<50], as: UTF8.self)) + Self.chunk(String(decoding: third[50...], as: UTF8.self))
            + Self.chunk(Self.events[3])
        let state = try Self.read(Array((Self.head + body).utf8), inPiecesOf: size)
        #expect(state.failure == nil)
        #expect(String(decoding: state.seats, as: UTF8.self) == "20010")
        #expect(state.version == 7)
        #expect(state.snapshots == 1)
        #expect(state.events == 3)
    }

    @Test(arguments: [
        "{\"version\":8,\"changes\":[{\"seat_no\":9,\"state\":\"taken\"}]}",  // a seat beyond the map
        "{\"version\":8,\"changes\":[{\"seat_no\":2,\"state\":\"sold\"}]}",  // an unknown state
        "{\"version\": 8,\"changes\":[]}",  // another layout
        "{\"version\":8,\"changes\":[{\"seat_no\":2,\"state\":\"held\"} ,{\"seat_no\":3,\"state\":\"held\"}]}",
        "{\"version\":8,\"changes\":[{\"seat_no\":2,\"state\":\"tall\"}]}",  // only its first letter right
        "{\"version\":8,\"changes\":[{\"seat_no\":2,\"state\":\"held\"}]}x",  // something after the list
    ])
    func aChangeTheReaderCannotReadFailsIt(_ data: String) throws {
        let body = Self.chunk(Self.events[0]) + Self.chunk("event: seats\nid: 8\ndata: \(data)\n\n")
        let state = try Self.read(Array((Self.head + body).utf8), inPiecesOf: 5)
        #expect(state.failure != nil)
        #expect(String(decoding: state.seats, as: UTF8.self) == "02010", "nothing of a list that fails is applied")
        #expect(state.version == 4)
    }

    @Test func anAnswerOtherThan200FailsTheReader() throws {
        let state = try Self.read(Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8), inPiecesOf: 3)
        #expect(state.failure?.contains("404") == true)
    }
}
