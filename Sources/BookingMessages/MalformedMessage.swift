/// Why a delivery is not a booking message. It goes to the dead-letter queue at once, with this
/// reason: no retry can make it valid.
public struct MalformedMessage: Error, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "malformed message: \(reason)" }
}
