import Configuration

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
        let config = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
        do {
            self = try config.logFormat() ?? .json
        } catch {
            throw Invalid(description: error.description)
        }
    }
}
