import NIOCore
import Testing

@testable import BookingBench

@Suite struct HTTP1WireTests {
    private func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    private func text(_ body: ByteBuffer?) -> String? { body.map { String(buffer: $0) } }

    @Test func encodesARequestWithABody() {
        var encoded = ByteBuffer()
        HTTP1Wire.encode(.reserve(eventID: 7, by: 1, of: .trusting(prefix: "u-", count: 2)), host: "127.0.0.1:8080", into: &encoded)
        let body = #"{"event_id":7,"user_id":"u-1"}"#
        #expect(String(buffer: encoded) == """
            POST /api/bookings/reserve HTTP/1.1\r
            Host: 127.0.0.1:8080\r
            Content-Type: application/json\r
            Content-Length: \(body.utf8.count)\r
            \r
            \(body)
            """)
    }

    @Test func encodesARequestWithoutABodyAndWithHeaders() {
        let users = UserIdentities.minted(prefix: "u-", count: 3, tokens: ["t0", "t1", "t"])
        let request = BenchRequest.listBookings(by: 2, of: users)
        var encoded = ByteBuffer()
        HTTP1Wire.encode(request, host: "localhost", into: &encoded)
        #expect(String(buffer: encoded) == "GET /api/bookings/user/u-2 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n\r\n")
    }

    @Test func takesAnAnswerFramedByContentLength() throws {
        var received = buffer("HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\ncontent-length: 16\r\n\r\n{\"code\":\"SOLD\"} ")
        let response = try #require(try HTTP1Wire.takeResponse(from: &received))
        #expect(response.status == 409)
        #expect(text(response.body) == "{\"code\":\"SOLD\"} ")
        #expect(response.keepsAlive)
        #expect(received.readableBytes == 0)
    }

    @Test func waitsForEveryByteOfTheAnswer() throws {
        let whole = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        for cut in 1..<whole.utf8.count {
            var received = ByteBuffer(bytes: whole.utf8.prefix(cut))
            #expect(try HTTP1Wire.takeResponse(from: &received) == nil, "cut at \(cut)")
            #expect(received.readableBytes == cut, "nothing is consumed before the answer is whole")
        }
        var received = buffer(whole)
        #expect(text(try HTTP1Wire.takeResponse(from: &received)?.body) == "hello")
    }

    @Test func leavesTheBytesOfTheNextAnswer() throws {
        var received = buffer("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        let first = try #require(try HTTP1Wire.takeResponse(from: &received))
        #expect(first.status == 204 && first.body == nil)
        let second = try #require(try HTTP1Wire.takeResponse(from: &received))
        #expect(second.status == 200 && text(second.body) == "ok")
    }

    @Test func decodesAChunkedBodyWithExtensionsAndTrailers() throws {
        let whole = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: 1\r\n\r\n"
        for cut in 1..<whole.utf8.count {
            var received = ByteBuffer(bytes: whole.utf8.prefix(cut))
            #expect(try HTTP1Wire.takeResponse(from: &received) == nil, "cut at \(cut)")
        }
        var received = buffer(whole)
        let response = try #require(try HTTP1Wire.takeResponse(from: &received))
        #expect(text(response.body) == "hello, world!!!")
        #expect(received.readableBytes == 0)
    }

    @Test func honoursConnectionCloseAndHTTP10() throws {
        var closing = buffer("HTTP/1.1 503 Service Unavailable\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n")
        let response = try #require(try HTTP1Wire.takeResponse(from: &closing))
        #expect(response.status == 503 && !response.keepsAlive && response.body == nil)

        var old = buffer("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(try HTTP1Wire.takeResponse(from: &old)?.keepsAlive == false)
        var oldKeptAlive = buffer("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
        #expect(try HTTP1Wire.takeResponse(from: &oldKeptAlive)?.keepsAlive == true)
    }

    @Test func skipsAnInterimAnswer() throws {
        var received = buffer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")
        let response = try #require(try HTTP1Wire.takeResponse(from: &received))
        #expect(response.status == 201 && text(response.body) == "{}")
    }

    @Test(arguments: [
        "HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\nunframed",
    ])
    func refusesMalformedAnswers(_ answer: String) {
        var received = buffer(answer)
        #expect(throws: HTTP1Wire.MalformedResponse.self) { try HTTP1Wire.takeResponse(from: &received) }
    }

    @Test func refusesAHeadThatNeverEnds() {
        var received = buffer("HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 4000))
        #expect(throws: HTTP1Wire.MalformedResponse.self) { try HTTP1Wire.takeResponse(from: &received) }
    }
}
