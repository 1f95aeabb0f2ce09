import BookingMessages
import Synchronization
import Testing

@testable import QueueWorker

@Suite("Webhook signature")
struct WebhookSignerTests {
    static let secret = "whsec-test-0123456789abcdef"
    static let time: Int64 = 1_764_612_345
    static let body = #"{"id":"7f1c2d3e-0000-4000-8000-000000000001","type":"booking.confirmed"}"#

    /// The expected MACs come from OpenSSL 3.0.19, run once and pasted here:
    ///   printf '%s' '1764612345.{"id":"7f1c2d3e-0000-4000-8000-000000000001","type":"booking.confirmed"}' \
    ///     | openssl dgst -sha256 -hmac 'whsec-test-0123456789abcdef'
    /// and the same with the body's last letter `d` changed to `D` (`booking.confirmeD`).
    static let expected = "d01d12378336146b2c2b3e0f30ced61329d8029b9f611b547feebf573006bb61"
    static let expectedWithOneByteChanged = "b2e69b5d267bc5b417acd155bf5cb14a1453441e0b758c35fc6d7a7b83db391a"

    @Test func aKnownSecretTimeAndBodyGiveOpenSSLsHMAC() {
        let signer = WebhookSigner(secret: Self.secret)
        #expect(signer.signature(of: Array(Self.body.utf8), at: Self.time) == "t=1764612345,v1=\(Self.expected)")
    }

    @Test func oneChangedBodyByteChangesTheSignature() throws {
        let signer = WebhookSigner(secret: Self.secret)
        var body = Array(Self.body.utf8)
        let index = try #require(body.lastIndex(of: UInt8(ascii: "d")))
        body[index] = UInt8(ascii: "D")
        let changed = signer.signature(of: body, at: Self.time)
        #expect(changed == "t=1764612345,v1=\(Self.expectedWithOneByteChanged)")
        #expect(changed != signer.signature(of: Array(Self.body.utf8), at: Self.time))
    }

    @Test func theTimeIsSignedTooSoAnotherTimeGivesAnotherMAC() {
        let signer = WebhookSigner(secret: Self.secret)
        let body = Array(Self.body.utf8)
        let mac = { (time: Int64) in signer.signature(of: body, at: time).split(separator: "=").last.map(String.init) }
        #expect(mac(Self.time) == Self.expected)
        #expect(mac(Self.time + 1) != Self.expected)
    }

    @Test func eachAttemptsHeadersAreSignedAtThatAttemptsTimeOverTheBodyPosted() throws {
        let clock = SteppingClock(start: Self.time)
        let signer = WebhookSigner(secret: Self.secret, now: { clock.next() })
        let message = try MessageFixture.message()
        let first = HTTPWebhookSender.headers(for: message, signer: signer)
        let second = HTTPWebhookSender.headers(for: message, signer: signer)

        #expect(first.map { $0.name } == ["Content-Type", "X-Message-Id", "X-Message-Type", "X-Signature"])
        #expect(first.first { $0.name == "X-Message-Id" }?.value == message.id)
        #expect(first.first { $0.name == "X-Message-Type" }?.value == "booking.confirmed")
        #expect(first.last?.value == signer.signature(of: message.body, at: Self.time))
        #expect(second.last?.value == signer.signature(of: message.body, at: Self.time + 1), "a retry signs anew")
        #expect(first.last?.value.hasPrefix("t=1764612345,v1=") == true)
    }

    @Test func withoutASecretNothingIsSigned() throws {
        let message = try MessageFixture.message()
        let headers = HTTPWebhookSender.headers(for: message, signer: nil)
        #expect(headers.map { $0.name } == ["Content-Type", "X-Message-Id", "X-Message-Type"])
    }

    @Test func theSystemClockIsUnixSeconds() {
        // 2020-01-01T00:00:00Z and 2100-01-01T00:00:00Z.
        #expect((1_577_836_800..<4_102_444_800).contains(WebhookSigner.systemTime()))
    }
}

/// Unix seconds from `start`, one more at each reading.
final class SteppingClock: Sendable {
    private let time: Mutex<Int64>

    init(start: Int64) {
        time = Mutex(start)
    }

    func next() -> Int64 {
        time.withLock { time in
            defer { time += 1 }
            return time
        }
    }
}
