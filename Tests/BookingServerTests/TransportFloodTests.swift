#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing

@testable import BookingServer

/// 2,000 connections that each send half a request head, against the head deadline
/// (docs/operations.md, "Transport limits"). It keeps both cores busy for several seconds, which
/// starves the pool and deadline tests of other suites in a parallel run: scripts/test runs it
/// in a `swift test` of its own (`--filter TransportFloodTests`).
@Suite("Transport flood")
struct TransportFloodTests {
    static let floodSize = 2000
    /// Longer than opening 2,000 connections takes a debug build (about 7 s here), so that all of
    /// them are held at once before the first deadline passes.
    static let headTimeout = Duration.seconds(15)

    @Test func twoThousandHalfSentHeadsAreHeldAtOnceThenClosedAtTheirDeadlineWhileOthersAreServed() async throws {
        // Each held connection is two descriptors in this process: the client's and the server's.
        // The server's own raising, which is this process's too (RLIMIT_NOFILE is per process).
        let openFiles = FileDescriptorLimit.raiseSoftLimit(toAtLeast: 2 * Self.floodSize + 2048)
        try #require(openFiles >= 2 * Self.floodSize + 512, "RLIMIT_NOFILE is \(openFiles)")
        // The server's default cap fits in the process's limit, so it is not lowered.
        let defaults = TransportLimits()
        #expect(FileDescriptorLimit.connectionCap(
            wanted: defaults.maxConnections, reserved: TransportLimits.reservedFileDescriptors, logger: TestEnvironment.logger
        ) == defaults.maxConnections)

        var transport = TransportLimits()
        transport.headTimeout = Self.headTimeout
        let metrics = ServerMetrics(routes: APIRoutes.templates)
        let options = TestServer.Options(metrics: metrics, transport: transport)
        try await ExclusiveSection.run { try await TestServer.withLiveAPI(options: options) { api in
            let port = try #require(api.port)
            let progress = FloodProgress()
            let waitFor = Self.headTimeout + .seconds(10)
            let flood = Task { await offTheTestPool { holdHalfSentHeads(port: port, count: Self.floodSize, waitFor: waitFor, progress: progress) } }
            let clock = ContinuousClock()
            let waitStart = clock.now
            while progress.sent.load(ordering: .acquiring) < Self.floodSize, clock.now - waitStart < .seconds(60) {
                try await Task.sleep(for: .milliseconds(20))
            }
            // Every half-sent head is open at once: none has been closed yet.
            let heldAtOnce = progress.sent.load(ordering: .acquiring) - progress.closed.load(ordering: .acquiring)
            #expect(heldAtOnce == Self.floodSize, "held at once: \(heldAtOnce)")
            // Another client, served while the flood holds its connections.
            let (reply, took) = try await timed { try await api.get("/health/live") }
            let heldMeanwhile = progress.sent.load(ordering: .acquiring) - progress.closed.load(ordering: .acquiring)
            #expect(reply.status == 200, "during the flood: \(reply)")
            #expect(heldMeanwhile == Self.floodSize, "the normal request was answered with \(heldMeanwhile) held")
            let (open, _) = try await timed { try await api.get("/metrics") }
            #expect(PrometheusText(open.text).value("http_open_connections") ?? 0 >= Double(Self.floodSize))

            let result = await flood.value
            #expect(result.opened == Self.floodSize)
            #expect(result.neverClosed == 0, "\(result.neverClosed) half-sent heads were still open \(waitFor) after the last")
            // The deadline contract: 15 s from the server's accepting each connection, plus slack
            // for 2,000 closes on two shared cores. (From the client's side a connection can wait in
            // the kernel's backlog before the server accepts it, so its own wait can be longer.)
            #expect(result.fastestClose >= Self.headTimeout - .milliseconds(300), "closed before its deadline: \(result.fastestClose)")
            #expect(result.allClosedAfterLastSend <= Self.headTimeout + .seconds(5), "the last closed \(result.allClosedAfterLastSend) after the last send")
            let answers = PrometheusText(try await api.get("/metrics").text)
            // One 408 for each half-sent head, and one more for HummingbirdTesting's live client's idle
            // connection when it has been open past the deadline.
            let timeouts = answers.value("http_transport_answers_total", ["status": "408"]) ?? 0
            #expect((Double(Self.floodSize)...Double(Self.floodSize + 1)).contains(timeouts), "408s counted: \(timeouts)")
            print("""
                transport flood: \(result.opened) half-sent heads, all sent in \(result.sendingTook) and held at once; \
                a normal request meanwhile answered \(reply.status) in \(took) with \(heldMeanwhile) held; closed after \
                \(result.fastestClose)…\(result.slowestClose) from each one's send (deadline \(Self.headTimeout)), the last \
                \(result.allClosedAfterLastSend) after the last send; \(result.answered408) read a 408 first
                """)
        } }
    }
}

/// What the flood thread has done so far, for the test to read meanwhile.
final class FloodProgress: Sendable {
    let sent = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
}

struct FloodResult: Sendable {
    var opened = 0
    var neverClosed = 0
    var answered408 = 0
    var sendingTook = Duration.zero
    var fastestClose = Duration.seconds(1000)
    var slowestClose = Duration.zero
    var allClosedAfterLastSend = Duration.zero
}

/// Opens `count` connections, sends each half a request head, and waits (up to `waitFor` after the
/// last send) for the server to close every one; times each close from its own send.
func holdHalfSentHeads(port: Int, count: Int, waitFor: Duration, progress: FloodProgress) -> FloodResult {
    let clock = ContinuousClock()
    var result = FloodResult()
    var connections: [RawHTTPConnection] = []
    var sentAt: [ContinuousClock.Instant] = []
    let start = clock.now
    for _ in 0..<count {
        guard let connection = RawHTTPConnection(port: port) else { break }
        connection.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        connections.append(connection)
        sentAt.append(clock.now)
        progress.sent.add(1, ordering: .releasing)
    }
    let lastSend = clock.now
    result.opened = connections.count
    result.sendingTook = lastSend - start
    var open = Array(connections.indices)
    var buffer = [UInt8](repeating: 0, count: 4096)
    var received: [Int: [UInt8]] = [:]
    while !open.isEmpty, clock.now - lastSend < waitFor {
        var polled = open.map { pollfd(fd: connections[$0].fd, events: Int16(POLLIN), revents: 0) }
        guard poll(&polled, nfds_t(polled.count), 100) > 0 else { continue }
        var stillOpen: [Int] = []
        for (slot, index) in open.enumerated() {
            guard polled[slot].revents != 0 else {
                stillOpen.append(index)
                continue
            }
            let n = buffer.withUnsafeMutableBytes { recv(connections[index].fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                received[index, default: []] += buffer[..<n]
                stillOpen.append(index)
                continue
            }
            if n < 0, errno == EAGAIN || errno == EINTR {
                stillOpen.append(index)
                continue
            }
            let took = clock.now - sentAt[index]
            result.fastestClose = min(result.fastestClose, took)
            result.slowestClose = max(result.slowestClose, took)
            if received[index].map({ String(decoding: $0.prefix(12), as: UTF8.self) == "HTTP/1.1 408" }) == true {
                result.answered408 += 1
            }
            progress.closed.add(1, ordering: .releasing)
        }
        open = stillOpen
    }
    result.allClosedAfterLastSend = clock.now - lastSend
    result.neverClosed = open.count
    return result
}
