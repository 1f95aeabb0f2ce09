#if canImport(Glibc)
import Glibc
#endif
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
///
/// A thousand readers parse every change on the generator's own cores, during the sale they
/// measure, so each byte is read once, in place: the chunked framing by a small state machine, the
/// lines found with `memchr`, and a change list read in one pass over the layout the server writes
/// (a reader that meets any other layout fails loudly rather than guess).
final class StreamReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let eventID: Int
    private let host: String
    private var context: ChannelHandlerContext?
    /// The response head, until its blank line.
    private var head: [UInt8] = []
    private var headEnded = false
    private var chunk = ChunkState.size(0)
    /// The line being read, when it spans reads or chunks (most lines are read in place).
    private var line: [UInt8] = []
    /// The `event:` of the event being read.
    private var kind = EventKind.other
    /// The changes of the event being read, applied once all of them have parsed.
    private var pending: [(seat: Int, mark: UInt8)] = []
    private(set) var state = StreamSubscribers.ReaderState(version: -1, seats: [], snapshots: 0, events: 0, failure: nil)
    private var closing = false

    /// Where the chunked framing is: `<hex size>\r\n<data>\r\n`.
    private enum ChunkState {
        case size(Int)
        case sizeEnd(Int)
        case data(remaining: Int)
        case dataCR
        case dataLF
    }

    private enum EventKind {
        case snapshot, seats, other
    }

    init(eventID: Int, host: String) {
        self.eventID = eventID
        self.host = host
        line.reserveCapacity(1 << 16)
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
        buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            read(UnsafeBufferPointer(start: base, count: raw.count))
        }
    }

    private func read(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        if !headEnded {
            while index < bytes.count, !headEnded {
                head.append(bytes[index])
                index += 1
                if head.count >= 4, head[head.count - 4] == 13, head[head.count - 3] == 10, head[head.count - 2] == 13, head[head.count - 1] == 10 {
                    headEnded = true
                }
            }
            guard headEnded else { return }
            guard head.starts(with: Array("HTTP/1.1 200".utf8)) else {
                fail("the stream answered \(String(decoding: head.prefix(40), as: UTF8.self))")
                return
            }
        }
        while index < bytes.count, state.failure == nil {
            let byte = bytes[index]
            switch chunk {
            case .size(let size):
                index += 1
                if let digit = Self.hexValue(byte) {
                    chunk = .size(size << 4 | digit)
                } else if byte == 13 {
                    chunk = .sizeEnd(size)
                } else {
                    fail("a chunk without a size")
                }
            case .sizeEnd(let size):
                index += 1
                guard byte == 10 else { fail("a chunk size without its line end"); return }
                guard size > 0 else { fail("the stream ended"); return }
                chunk = .data(remaining: size)
            case .data(let remaining):
                let count = min(remaining, bytes.count - index)
                feed(UnsafeBufferPointer(rebasing: bytes[index..<index + count]))
                index += count
                chunk = remaining == count ? .dataCR : .data(remaining: remaining - count)
            case .dataCR:
                index += 1
                guard byte == 13 else { fail("a chunk without its line end"); return }
                chunk = .dataLF
            case .dataLF:
                index += 1
                guard byte == 10 else { fail("a chunk without its line end"); return }
                chunk = .size(0)
            }
        }
    }

    /// Body bytes: split into lines, each handled where it lies unless it spans reads.
    private func feed(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count, state.failure == nil {
            guard let found = memchr(base + start, 10, bytes.count - start) else {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
                return
            }
            let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if line.isEmpty {
                handle(line: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            } else {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                line.withUnsafeBufferPointer { handle(line: $0) }
                line.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if state.failure == nil, state.version >= 0, !closing { state.failure = "the connection closed" }
    }

    func close() {
        closing = true
        context?.close(promise: nil)
    }

    private func fail(_ reason: String) {
        guard state.failure == nil else { return }
        state.failure = reason
        context?.close(promise: nil)
    }

    /// One line of an event: `event:` names it, `data:` carries it, a blank line ends it; `id:`
    /// repeats the version the data has, and a comment is a ping.
    private func handle(line: UnsafeBufferPointer<UInt8>) {
        if line.isEmpty {
            kind = .other
        } else if Self.starts(line, with: Self.eventSnapshot) {
            kind = .snapshot
        } else if Self.starts(line, with: Self.eventSeats) {
            kind = .seats
        } else if Self.starts(line, with: Self.dataPrefix) {
            let data = UnsafeBufferPointer(rebasing: line[Self.dataPrefix.count...])
            switch kind {
            case .snapshot: readSnapshot(data)
            case .seats: readChanges(data)
            case .other: break
            }
        }
    }

    /// `{"event_id":1,"total_seats":5,"version":42,"seats":"02010"}`
    private func readSnapshot(_ data: UnsafeBufferPointer<UInt8>) {
        guard let versionAt = Self.find(Self.versionKey, in: data),
              let (version, _) = Self.number(in: data, from: versionAt + Self.versionKey.count),
              let seatsAt = Self.find(Self.seatsKey, in: data),
              let seatsEnd = data[(seatsAt + Self.seatsKey.count)...].firstIndex(of: UInt8(ascii: "\""))
        else {
            fail("a snapshot without seats or version")
            return
        }
        state.seats = Array(data[(seatsAt + Self.seatsKey.count)..<seatsEnd])
        state.version = version
        state.snapshots += 1
        state.events += 1
    }

    /// `{"version":V,"changes":[{"seat_no":N,"state":"free|held|taken"},...]}`, in one pass; the
    /// map changes only once the whole list has parsed.
    private func readChanges(_ data: UnsafeBufferPointer<UInt8>) {
        guard Self.starts(data, with: Self.changesStart),
              let (version, afterVersion) = Self.number(in: data, from: Self.changesStart.count),
              Self.matches(data, at: afterVersion, Self.changesKey)
        else {
            fail("a change without a version")
            return
        }
        var index = afterVersion + Self.changesKey.count
        pending.removeAll(keepingCapacity: true)
        if !Self.matches(data, at: index, Self.listEnd) {
            while true {
                guard Self.matches(data, at: index, Self.seatKey),
                      let (seat, afterSeat) = Self.number(in: data, from: index + Self.seatKey.count),
                      seat >= 1, seat <= Int64(state.seats.count),
                      Self.matches(data, at: afterSeat, Self.stateKey)
                else {
                    fail("a change that does not parse")
                    return
                }
                index = afterSeat + Self.stateKey.count
                let mark: UInt8
                if Self.matches(data, at: index, Self.taken) {
                    (mark, index) = (UInt8(ascii: "2"), index + Self.taken.count)
                } else if Self.matches(data, at: index, Self.held) {
                    (mark, index) = (UInt8(ascii: "1"), index + Self.held.count)
                } else if Self.matches(data, at: index, Self.free) {
                    (mark, index) = (UInt8(ascii: "0"), index + Self.free.count)
                } else {
                    fail("a change of an unknown state")
                    return
                }
                pending.append((Int(seat) - 1, mark))
                if Self.matches(data, at: index, Self.nextChange) {
                    index += Self.nextChange.count
                } else if Self.matches(data, at: index, Self.lastChange) {
                    index += Self.lastChange.count - Self.listEnd.count
                    break
                } else {
                    fail("a change that does not parse")
                    return
                }
            }
        }
        guard index + Self.listEnd.count == data.count else {
            fail("a change list that does not end as it should")
            return
        }
        for (seat, mark) in pending { state.seats[seat] = mark }
        state.version = version
        state.events += 1
    }

    private static let eventSnapshot = Array("event: snapshot".utf8)
    private static let eventSeats = Array("event: seats".utf8)
    private static let dataPrefix = Array("data: ".utf8)
    private static let versionKey = Array(#""version":"#.utf8)
    private static let seatsKey = Array(#""seats":""#.utf8)
    private static let changesStart = Array(#"{"version":"#.utf8)
    private static let changesKey = Array(#","changes":["#.utf8)
    private static let seatKey = Array(#"{"seat_no":"#.utf8)
    private static let stateKey = Array(#","state":""#.utf8)
    private static let taken = Array(#"taken""#.utf8)
    private static let held = Array(#"held""#.utf8)
    private static let free = Array(#"free""#.utf8)
    private static let nextChange = Array("},".utf8)
    private static let lastChange = Array("}]}".utf8)
    private static let listEnd = Array("]}".utf8)

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Digits from `start`: the value and the index after them.
    private static func number(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int64, Int)? {
        var value: Int64 = 0
        var index = start
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, index - start < 18 {
            value = value * 10 + Int64(bytes[index] - 48)
            index += 1
        }
        return index > start ? (value, index) : nil
    }

    private static func starts(_ bytes: UnsafeBufferPointer<UInt8>, with prefix: [UInt8]) -> Bool {
        matches(bytes, at: 0, prefix)
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ literal: [UInt8]) -> Bool {
        guard index >= 0, bytes.count - index >= literal.count, let base = bytes.baseAddress else { return false }
        return literal.withUnsafeBufferPointer { memcmp(base + index, $0.baseAddress!, literal.count) == 0 }
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for index in 0...(bytes.count - needle.count) where bytes[index] == needle[0] && matches(bytes, at: index, needle) {
            return index
        }
        return nil
    }
}
