// Ours, over swift-configuration's ConfigReader, because its readers are lenient where ours must
// not be: `int(forKey:)`, `bool(forKey:)` and the rest answer nil (or the default) for a value
// they cannot convert, so a typo would run the process on the default; and `requiredInt` and
// friends throw for an unset variable too. Here an unset or empty variable keeps the default,
// and a malformed one stops the process with a message that names it. Switches and log levels
// take the spellings docs/operations.md lists (on/off, yes/no, any case), which the library's do not.
import Configuration
import Logging

/// A configuration variable set to a value it may not take, described for the operator
/// (`PORT must be a whole number from 0 to 65535, not "x"`).
public struct InvalidConfigurationValue: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension ConfigReader {
    /// The text of variable `name`; nil when it is unset or empty (both mean "the default").
    public func text(_ name: String, isSecret: Bool = false) -> String? {
        string(forKey: ConfigKey(name), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Variable `name` parsed by `parse`; nil when unset or empty. A value that `parse` rejects
    /// is an error saying what `name` must be.
    public func value<Value>(
        _ name: String, mustBe expected: String, _ parse: (String) -> Value?
    ) throws(InvalidConfigurationValue) -> Value? {
        guard let text = text(name) else { return nil }
        guard let value = parse(text) else {
            throw InvalidConfigurationValue("\(name) must be \(expected), not \"\(text)\"")
        }
        return value
    }

    public func integer(_ name: String, in range: ClosedRange<Int>) throws(InvalidConfigurationValue) -> Int? {
        try value(name, mustBe: "a whole number from \(range.lowerBound) to \(range.upperBound)") { text in
            Int(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// An on/off switch: 1, true, on, yes or 0, false, off, no (any case).
    public func flag(_ name: String) throws(InvalidConfigurationValue) -> Bool? {
        try value(name, mustBe: "1 or 0") { text in
            switch text.lowercased() {
            case "1", "true", "on", "yes": true
            case "0", "false", "off", "no": false
            default: nil
            }
        }
    }

    /// `LOG_LEVEL`-style: trace … critical, any case.
    public func logLevel(_ name: String) throws(InvalidConfigurationValue) -> Logger.Level? {
        try value(name, mustBe: "one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))") { text in
            Logger.Level(rawValue: text.lowercased())
        }
    }

    /// `LOG_FORMAT`: json or text, any case.
    public func logFormat() throws(InvalidConfigurationValue) -> LogFormat? {
        try value("LOG_FORMAT", mustBe: "json or text") { LogFormat(rawValue: $0.lowercased()) }
    }
}
