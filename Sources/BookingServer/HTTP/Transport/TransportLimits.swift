import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// How long a client may take and how much it may hold: without these, a connection that sends
/// half a request head stays open for ever (Hummingbird's idle timeout is off by default) and
/// nothing caps connections short of the file-descriptor limit. docs/operations.md, "Transport limits".
struct TransportLimits: Sendable, Equatable {
    /// `HTTP_HEAD_TIMEOUT_MS`: from the connection's opening, or from the first byte after an
    /// answer, to the request head's last byte.
    var headTimeout = Duration.seconds(10)
    /// `HTTP_IDLE_TIMEOUT_MS`: a keep-alive connection with no request in progress closes after this.
    var idleTimeout = Duration.seconds(60)
    /// `HTTP_MAX_CONNECTIONS`: open connections of this instance; the rest are answered 503.
    var maxConnections = 10_000
    /// `HTTP_MAX_HEAD_BYTES`: the header fields of a request head; past it, 431.
    var maxHeadBytes = 16 * 1024

    /// Descriptors kept for everything but client connections: the stores' pools, the listening
    /// socket, logs, and the refused connections while they are answered.
    static let reservedFileDescriptors = 512

    /// The HTTP/1.1 server with these limits. Each application gets its own connection count
    /// (its metrics' `connections`);
    /// the cap is lowered (with a warning) when the process may not open that many descriptors.
    /// The transport's own answers go to `metrics`.
    func httpServer(logger: Logger, metrics: TransportMetrics) -> HTTPServerBuilder {
        let cap = FileDescriptorLimit.connectionCap(wanted: maxConnections, reserved: Self.reservedFileDescriptors, logger: logger)
        let count = metrics.connections
        let headDeadline = TimeAmount(headTimeout)
        let reporter = TransportReporter(metrics: metrics, logger: logger)
        return .http1(configuration: HTTP1Channel.Configuration(
            // Evaluated once per connection: fresh handlers, one shared count.
            additionalChannelHandlers: [
                ConnectionGate(count: count, limit: cap, reporter: reporter),
                RequestHeadDeadline(timeout: headDeadline, reporter: reporter),
                HeadTooLargeAnswer(reporter: reporter),
            ],
            idleTimeout: TimeAmount(idleTimeout),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: maxHeadBytes, maxHeaderListSize: maxHeadBytes, maxHeaderFieldCount: 256
            )
        ))
    }
}
