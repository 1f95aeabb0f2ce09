/// The hand-written parsers that read untrusted request bytes, each with the properties a fuzzer
/// checks on every input it makes. Under libFuzzer a broken property stops the process, which it
/// records as a crash; the unit tests (`FuzzTargetsTests`) run the same checks over the seed
/// corpus and every saved crash, without the fuzzer.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONParser`: every request body.
    case json
    /// `URLDecoding` and `Validate.userID`: `/api/bookings/user/{user_id}` and `?user_id=`.
    case userID = "user-id"
    /// `PageCursor.decode`: `?cursor=` of every list.
    case cursor

    /// Runs the target's properties on one input; throws the first that does not hold.
    public func check(_ input: [UInt8]) throws(PropertyFailure) {
        switch self {
        case .json: try JSONProperties.check(input)
        case .userID: try UserIDProperties.check(input)
        case .cursor: try CursorProperties.check(input)
        }
    }
}

/// A property that did not hold: the message names it and the values involved.
public struct PropertyFailure: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
