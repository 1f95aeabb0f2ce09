import CoreMetrics
import Hummingbird
import Logging

/// What the transport does on its own, before the router: `http_transport_answers_total{status}`
/// counts its 408, 431 and 503 answers (they never reach `http_requests_total`, which the router's
/// middleware counts), and `http_open_connections` is the connections the cap counts, read at
/// each scrape.
final class TransportMetrics: Sendable {
    /// The count the connection cap is held to; one per application, as are its metrics.
    let connections = ConnectionCount()
    private let openConnections: Gauge
    private let headTimeouts: Counter
    private let headsTooLarge: Counter
    private let overTheCap: Counter

    init(factory: any MetricsFactory) {
        openConnections = Gauge(label: "http_open_connections", factory: factory)
        func answers(_ status: String) -> Counter {
            Counter(label: "http_transport_answers_total", dimensions: [("status", status)], factory: factory)
        }
        headTimeouts = answers("408")
        headsTooLarge = answers("431")
        overTheCap = answers("503")
    }

    /// Before a scrape.
    func refresh() {
        openConnections.record(connections.current)
    }

    func count(_ answer: TransportAnswer) {
        switch answer.status.code {
        case 408: headTimeouts.increment()
        case 431: headsTooLarge.increment()
        default: overTheCap.increment()
        }
    }
}

/// Where the transport's handlers report: the metrics, and the server's logger for a line per
/// answer at debug level (under a flood they come by the thousand).
struct TransportReporter: Sendable {
    let metrics: TransportMetrics
    let logger: Logger

    /// Counts `answer` and logs it with the request id it carries.
    func record(_ answer: TransportAnswer, requestID: String) {
        metrics.count(answer)
        logger.debug("transport answer", metadata: [
            "status": .stringConvertible(answer.status.code), "code": .string(answer.code), "hb.request.id": .string(requestID),
        ])
    }
}
