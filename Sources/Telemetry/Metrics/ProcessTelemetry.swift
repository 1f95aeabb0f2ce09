import Logging
import Metrics
import Synchronization

/// The process-wide side of telemetry: swift-log's `LoggingSystem` and swift-metrics'
/// `MetricsSystem` can each be bootstrapped only once per process, so an executable calls
/// ``bootstrap(logFormat:logLevel:)`` first thing in `main`, and tests never do (they pass
/// their own ``PrometheusExporter`` and loggers around instead).
public enum ProcessTelemetry {
    private static let bootstrapped = Mutex<PrometheusExporter?>(nil)

    /// Points both global systems at this process's handlers: JSON or text lines on standard
    /// output at `logLevel`, and a ``PrometheusExporter`` that also receives the metrics of any
    /// library using the global `MetricsSystem`. Later calls return the first call's exporter.
    public static func bootstrap(logFormat: LogFormat, logLevel: Logger.Level) -> PrometheusExporter {
        bootstrapped.withLock { exporter in
            if let exporter { return exporter }
            LoggingSystem.bootstrap { label in
                var handler: any LogHandler = switch logFormat {
                case .json: JSONLogHandler(label: label)
                case .text: StreamLogHandler.standardOutput(label: label)
                }
                handler.logLevel = logLevel
                return handler
            }
            let created = PrometheusExporter()
            MetricsSystem.bootstrap(created.factory)
            exporter = created
            return created
        }
    }
}
