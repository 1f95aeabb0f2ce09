import BookingCore
import Synchronization

import NIOCore

/// What a stream's subscriber is sent next.
enum StreamMessage: Sendable, Equatable {
    /// The whole map (rendered at the moment it is written).
    case snapshot(SeatMap)
    /// The seats changed since the subscriber's last message, each with its state at the batch's version.
    case seats(SeatBatch)
    case ping

    static func seats(version: Int64, changes: [SeatChange.Seat]) -> StreamMessage { .seats(SeatBatch(version: version, changes: changes)) }
}

/// One gathered change, encoded once as its Server-Sent Event for every subscriber it goes to
/// (a thousand subscribers share its bytes).
final class SeatBatch: Sendable, Equatable {
    let version: Int64
    let changes: [SeatChange.Seat]
    /// The event's bytes; nil for no change (nothing to write).
    let event: ByteBuffer?

    init(version: Int64, changes: [SeatChange.Seat]) {
        self.version = version
        self.changes = changes
        self.event = SeatRoutes.event(seatsAt: version, changes).map { ByteBuffer(bytes: $0) }
    }

    static func == (lhs: SeatBatch, rhs: SeatBatch) -> Bool { lhs.version == rhs.version && lhs.changes == rhs.changes }
}

/// One subscriber's mailbox: the hub posts, the subscriber's stream writer takes. Bounded: a
/// subscriber `backlog` messages behind is not queued more, it is sent a fresh snapshot instead
/// (``SeatHub`` decides), so a slow reader costs the others nothing and its memory stays bounded.
final class SeatSubscription: Sendable {
    let id: Int
    let eventID: Int64
    let backlog: Int

    private struct State {
        var messages: [StreamMessage] = []
        var waiter: CheckedContinuation<StreamMessage?, Never>?
        var closed = false
        /// The version the subscriber will know once it has taken every message posted.
        var version: Int64 = -1
        var lastPost = ContinuousClock.now
    }

    private let state = Mutex(State())

    init(id: Int, eventID: Int64, backlog: Int) {
        self.id = id
        self.eventID = eventID
        self.backlog = backlog
    }

    /// The next message; nil once the subscription is closed and its messages taken.
    func next() async -> StreamMessage? {
        await withCheckedContinuation { continuation in
            let ready: StreamMessage?? = state.withLock { state in
                if !state.messages.isEmpty { return .some(state.messages.removeFirst()) }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The version the subscriber has been sent (or -1 before its first message).
    var version: Int64 { state.withLock { $0.version } }

    /// Queues `message`; false when the subscriber is `backlog` messages behind (nothing queued).
    @discardableResult
    func post(_ message: StreamMessage) -> Bool {
        let (waiter, queued): (CheckedContinuation<StreamMessage?, Never>?, Bool) = state.withLock { state in
            guard !state.closed else { return (nil, true) }
            if let waiter = state.waiter {
                state.waiter = nil
                Self.note(message, in: &state)
                return (waiter, true)
            }
            guard state.messages.count < backlog else { return (nil, false) }
            Self.note(message, in: &state)
            state.messages.append(message)
            return (nil, true)
        }
        waiter?.resume(returning: message)
        return queued
    }

    /// Drops whatever waits and queues `snapshot` alone.
    func replace(with snapshot: SeatMap) {
        let waiter: CheckedContinuation<StreamMessage?, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            state.messages.removeAll()
            Self.note(.snapshot(snapshot), in: &state)
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.messages.append(.snapshot(snapshot))
            return nil
        }
        waiter?.resume(returning: .snapshot(snapshot))
    }

    /// Whether nothing has been posted for `interval`.
    func quiet(for interval: Duration) -> Bool {
        state.withLock { ContinuousClock.now - $0.lastPost >= interval }
    }

    /// Ends the subscription: the writer takes what is queued, then nil.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<StreamMessage?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    private static func note(_ message: StreamMessage, in state: inout State) {
        state.lastPost = .now
        switch message {
        case .snapshot(let map): state.version = map.version
        case .seats(let batch): state.version = max(state.version, batch.version)
        case .ping: break
        }
    }
}
