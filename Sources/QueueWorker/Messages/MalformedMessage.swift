/// Why a delivery is not a booking message. It goes to the dead-letter queue at once, with this
/// reason: no retry can make it valid.
struct MalformedMessage: Error, Equatable, CustomStringConvertible {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { "malformed message: \(reason)" }
}
