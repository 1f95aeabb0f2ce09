/// What identifies a request for idempotent retries: equal fingerprints mean "the same request".
///
/// The text is canonical compact JSON with keys in a fixed order, so key order and spacing in
/// the body do not matter. Comparison is by UTF-8 bytes: Swift's `String ==` would treat
/// canonically equivalent user ids ("é" vs "e" + U+0301) as equal, but they are different users.
public struct RequestFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The canonical text, fit to be stored next to the idempotency key.
    public let text: String

    public init(text: String) {
        self.text = text
    }

    public static func == (lhs: RequestFingerprint, rhs: RequestFingerprint) -> Bool {
        lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        for byte in text.utf8 { hasher.combine(byte) }
    }

    public var description: String { text }
}
