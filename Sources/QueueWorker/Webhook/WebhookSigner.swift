import Crypto
import Foundation

/// The `X-Signature` of a webhook POST (docs/api.md, "Webhook signatures"):
/// `t=<unix seconds>,v1=<lower-case hex HMAC-SHA256 of "<t>.<body>">`, keyed by the UTF-8 bytes of
/// `WEBHOOK_SECRET`. The HMAC is swift-crypto's; only the hex is written here.
struct WebhookSigner: Sendable {
    static let header = "X-Signature"
    /// Shorter secrets stop the worker at start-up (docs/operations.md).
    static let minimumSecretBytes = 16

    private let key: SymmetricKey
    /// Unix seconds now: the time of the attempt being signed. A test's own clock in tests.
    let now: @Sendable () -> Int64

    init(secret: String, now: @escaping @Sendable () -> Int64 = WebhookSigner.systemTime) {
        key = SymmetricKey(data: Array(secret.utf8))
        self.now = now
    }

    /// The wall clock, in whole seconds since 1970 (rounded down).
    @Sendable static func systemTime() -> Int64 {
        Int64(Date().timeIntervalSince1970.rounded(.down))
    }

    /// The header's value for `body` posted now; each attempt calls this again, so a retry
    /// carries its own `t`.
    func signature(of body: [UInt8]) -> String {
        signature(of: body, at: now())
    }

    /// The header's value for `body` posted at `time`.
    func signature(of body: [UInt8], at time: Int64) -> String {
        let prefix = "\(time)."
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array(prefix.utf8))
        hmac.update(data: body)
        return "t=\(time),v1=\(Self.lowerCaseHex(hmac.finalize()))"
    }

    private static func lowerCaseHex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
