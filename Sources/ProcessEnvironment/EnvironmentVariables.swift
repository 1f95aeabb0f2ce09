import Logging

/// A process's configuration variables, read the same way by every executable: unset and empty
/// mean "use the default"; a value that is set but malformed is an error naming the variable.
public struct EnvironmentVariables: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// A malformed variable, described for the operator ("PORT must be …, not \"x\"").
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String

        public init(_ description: String) {
            self.description = description
        }
    }

    public func string(_ name: String) -> String? {
        values[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func integer(_ name: String, in range: ClosedRange<Int>) throws(Invalid) -> Int? {
        guard let text = string(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw Invalid("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return number
    }

    /// An on/off switch: 1, true, on, yes or 0, false, off, no (any case).
    public func flag(_ name: String) throws(Invalid) -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "1", "true", "on", "yes": return true
        case "0", "false", "off", "no": return false
        default: throw Invalid("\(name) must be 1 or 0, not \"\(text)\"")
        }
    }

    /// `LOG_LEVEL`-style: trace … critical, any case.
    public func logLevel(_ name: String) throws(Invalid) -> Logger.Level? {
        guard let text = string(name) else { return nil }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw Invalid("\(name) must be one of trace, debug, info, notice, warning, error, critical, not \"\(text)\"")
        }
        return level
    }
}
