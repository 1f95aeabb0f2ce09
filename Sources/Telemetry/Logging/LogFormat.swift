/// How a process writes its log lines (`LOG_FORMAT`): one JSON object per line for log
/// collectors (the default), or swift-log's plain text for a person at a terminal.
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text

    /// A value `LOG_FORMAT` may not take.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `LOG_FORMAT` from `environment`; unset or empty means ``json``.
    public init(environment: [String: String]) throws(Invalid) {
        guard let text = environment["LOG_FORMAT"], !text.isEmpty else {
            self = .json
            return
        }
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw Invalid(description: "LOG_FORMAT must be json or text, not \"\(text)\"")
        }
        self = format
    }
}
