import NIOCore
import NIOPosix
import Synchronization

/// `--subscribers N`: N readers of an event's seat stream (`GET /api/events/{id}/stream`) while a
/// scenario runs, each keeping its own map from the snapshot and the changes, as a page does. At
/// the end each map is compared with `/seats`. Their connections are the generator's too: they
/// run on the same event loops and cores.
final class StreamSubscribers: Sendable {
    private let readers: [NIOLoopBound<StreamReader>]

    private init(readers: [NIOLoopBound<StreamReader>]) { self.readers = readers }

    struct CannotSubscribe: Error, CustomStringConvertible {
        let description: String
    }

    /// Opens `count` streams of `eventID` and returns once each has its snapshot.
    static func open(_ count: Int, to target: TargetURL, eventID: Int, within limit: Duration = .seconds(60)) async throws -> StreamSubscribers {
        let group = MultiThreadedEventLoopGroup.singleton
        var readers: [NIOLoopBound<StreamReader>] = []
        for _ in 0..<count {
            let loop = group.next()
            let host = target.hostHeader
            let bound = try await loop.submit { NIOLoopBound(StreamReader(eventID: eventID, host: host), eventLoop: loop) }.get()
            readers.append(bound)
            _ = try await ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(bound.value) }
                }
                .connect(host: target.host, port: target.port).get()
        }
        let subscribers = StreamSubscribers(readers: readers)
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while await subscribers.states().contains(where: { $0.version < 0 && $0.failure == nil }) {
            guard clock.now < deadline else { throw CannotSubscribe(description: "not every stream sent its snapshot within \(limit)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        if let failure = await subscribers.states().compactMap(\.failure).first {
            throw CannotSubscribe(description: "a stream failed: \(failure)")
        }
        return subscribers
    }

    /// What one reader holds now.
    struct ReaderState: Sendable {
        var version: Int64
        var seats: [UInt8]
        var snapshots: Int
        var events: Int
        var failure: String?
    }

    func states() async -> [ReaderState] {
        var states: [ReaderState] = []
        states.reserveCapacity(readers.count)
        for reader in readers {
            states.append(try! await reader.eventLoop.submit { reader.value.state }.get())
        }
        return states
    }

    /// Waits until every reader is at `version` (or `limit` passes), then compares each map with
    /// `seats`: the verification's check, and the readers' figures.
    func check(against seats: String, version: Int64, within limit: Duration = .seconds(30)) async throws -> (check: RunSummary.Check, note: String) {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var states = await self.states()
        while states.contains(where: { $0.version < version && $0.failure == nil }), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            states = await self.states()
        }
        let expected = Array(seats.utf8)
        let matching = states.filter { $0.seats == expected && $0.version == version }.count
        let failed = states.filter { $0.failure != nil }.count
        let snapshots = states.map(\.snapshots).reduce(0, +)
        let events = states.map(\.events).reduce(0, +)
        for reader in readers { reader.eventLoop.execute { reader.value.close() } }
        let check = RunSummary.Check(
            name: "every stream subscriber ended on the map of /seats",
            passed: matching == states.count,
            detail: "\(matching) of \(states.count) at version \(version)\(failed > 0 ? ", \(failed) failed" : "")"
        )
        return (check, "\(states.count) stream subscribers: \(events) events read, \(snapshots) snapshots (\(snapshots - states.count) resynchronisations)")
    }
}

/// One stream's reader: sends the request, decodes the chunked body, splits it into Server-Sent
/// Events and keeps the map. Confined to its channel's event loop.
final class StreamReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let eventID: Int
    private let host: String
    private var context: ChannelHandlerContext?
    private var received: [UInt8] = []
    private var headEnded = false
    /// The decoded body not yet split into events.
    private var body: [UInt8] = []
    private(set) var state = StreamSubscribers.ReaderState(version: -1, seats: [], snapshots: 0, events: 0, failure: nil)

    init(eventID: Int, host: String) {
        self.eventID = eventID
        self.host = host
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 128)
        buffer.writeString("GET /api/events/\(eventID)/stream HTTP/1.1\r\nHost: \(host)\r\nAccept: text/event-stream\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received.append(contentsOf: buffer.readableBytesView)
        if !headEnded {
            guard let end = Self.find([13, 10, 13, 10], in: received) else { return }
            let head = String(decoding: received[..<end], as: UTF8.self)
            guard head.hasPrefix("HTTP/1.1 200") else {
                fail("the stream answered \(head.prefix(40))")
                return
            }
            received.removeFirst(end + 4)
            headEnded = true
        }
        // Chunks: "<hex size>\r\n<data>\r\n".
        while let line = Self.find([13, 10], in: received) {
            guard let size = Int(String(decoding: received[..<line], as: UTF8.self), radix: 16) else {
                fail("a chunk without a size")
                return
            }
            guard received.count >= line + 2 + size + 2 else { break }
            if size == 0 {
                fail("the stream ended")
                return
            }
            body.append(contentsOf: received[(line + 2)..<(line + 2 + size)])
            received.removeFirst(line + 2 + size + 2)
        }
        while let end = Self.find([10, 10], in: body) {
            handle(Array(body[..<end]))
            body.removeFirst(end + 2)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if state.failure == nil, state.version >= 0, !closing { state.failure = "the connection closed" }
    }

    private var closing = false

    func close() {
        closing = true
        context?.close(promise: nil)
    }

    private func fail(_ reason: String) {
        state.failure = reason
        context?.close(promise: nil)
    }

    /// One event: its `event:` and `data:` lines (a comment is a ping). Read over its bytes: a
    /// thousand readers parse every change, on the generator's cores.
    private func handle(_ block: [UInt8]) {
        if block.starts(with: Self.snapshotPrefix) {
            let data = String(decoding: block, as: UTF8.self)
            guard let seats = Self.stringField("seats", in: data), let version = Self.numberField("version", in: data) else {
                fail("a snapshot without seats or version")
                return
            }
            state.seats = Array(seats.utf8)
            state.version = version
            state.snapshots += 1
            state.events += 1
        } else if block.starts(with: Self.seatsPrefix) {
            // {"version":V,"changes":[{"seat_no":N,"state":"free|held|taken"}, ...]}
            guard let versionAt = Self.find(Self.versionKey, in: block), let version = Self.number(in: block, from: versionAt + Self.versionKey.count) else {
                fail("a change without a version")
                return
            }
            var index = versionAt
            while let seatAt = Self.find(Self.seatKey, in: block, from: index) {
                index = seatAt + Self.seatKey.count
                guard let seat = Self.number(in: block, from: index), seat >= 1, seat <= Int64(state.seats.count),
                      let stateAt = Self.find(Self.stateKey, in: block, from: index), stateAt + Self.stateKey.count < block.count
                else {
                    fail("a change that does not parse")
                    return
                }
                index = stateAt + Self.stateKey.count
                let first = block[index]
                state.seats[Int(seat) - 1] = first == UInt8(ascii: "t") ? UInt8(ascii: "2") : first == UInt8(ascii: "h") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            }
            state.version = version
            state.events += 1
        }
    }

    private static let snapshotPrefix = Array("event: snapshot".utf8)
    private static let seatsPrefix = Array("event: seats".utf8)
    private static let versionKey = Array(#""version":"#.utf8)
    private static let seatKey = Array(#""seat_no":"#.utf8)
    private static let stateKey = Array(#""state":""#.utf8)

    private static func number(in bytes: [UInt8], from start: Int) -> Int64? {
        var value: Int64 = 0
        var index = start
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            value = value * 10 + Int64(bytes[index] - 48)
            index += 1
        }
        return index > start ? value : nil
    }

    private static func stringField(_ name: String, in json: String) -> String? {
        guard let start = json.range(of: "\"\(name)\":\"") else { return nil }
        let rest = json[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    private static func numberField(_ name: String, in json: String) -> Int64? {
        guard let start = json.range(of: "\"\(name)\":") else { return nil }
        return Int64(json[start.upperBound...].prefix { $0.isNumber })
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int = 0) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        var index = start
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == needle[0] {
                var matched = 1
                while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }
}
