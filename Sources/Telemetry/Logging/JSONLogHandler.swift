#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A swift-log handler that writes each event as one line of JSON (see ``JSONLogLine``).
///
/// Every line goes out in a single `write(2)`, so lines from concurrent tasks never interleave
/// (up to the pipe's atomic size, 4 KiB, on a pipe; always on a file or terminal in practice).
public struct JSONLogHandler: LogHandler {
    /// Where finished lines go: standard output in a server, a buffer in tests.
    public typealias Sink = @Sendable ([UInt8]) -> Void

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info

    private let label: String
    private let sink: Sink
    private let clock: @Sendable () -> Int64

    /// - Parameters:
    ///   - sink: receives each line, `\n` included; standard output when nil.
    ///   - clock: the wall-clock time in microseconds since 1970; the system's when nil.
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        sink: Sink? = nil, clock: (@Sendable () -> Int64)? = nil
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink ?? Self.writeToStandardOutput
        self.clock = clock ?? Self.microsecondsSinceEpoch
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Handler metadata, then the task's (provider), then the call's: the most specific wins.
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        sink(JSONLogLine.encode(
            microsecondsSinceEpoch: clock(), level: event.level, label: label,
            message: event.message.description, metadata: merged
        ))
    }

    @Sendable static func microsecondsSinceEpoch() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    @Sendable static func writeToStandardOutput(_ line: [UInt8]) {
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return // A closed or full output loses the line rather than stopping the server.
                }
            }
        }
    }
}
