import BookingCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The live seat maps of one server instance (docs/architecture.md, "The live seat map"): the
/// instance's one subscription to the store's seat changes (``SeatChangeFeed``), fanned out in
/// process to the stream's subscribers. Per event with subscribers it keeps the map at its latest
/// version, the recent changes (for `Last-Event-ID`), and the changes not yet sent, which go out
/// gathered every `gather` interval: one message per subscriber per interval, however many
/// bookings. A change out of order, or a feed that was lost, reads the map from the store again
/// and sends every subscriber a fresh snapshot. Nothing here is on the path of a reservation.
final class SeatHub: Service, Sendable {
    struct Configuration: Sendable {
        /// How long changes are gathered before they go out.
        var gather = Duration.milliseconds(250)
        /// A comment line at least this often on a quiet stream.
        var ping = Duration.seconds(15)
        /// Messages a subscriber may be behind before it is sent a snapshot instead.
        var backlog = 64
        /// Changes per event kept for resumption.
        var retained = 2048
        /// How long a new subscriber waits for the feed to listen before the store counts as down.
        var listenWait = Duration.seconds(2)
        /// How long an event stays live after its last subscriber left: a client that reconnects
        /// meanwhile (a browser's `EventSource` does after a few seconds) resumes from its
        /// `Last-Event-ID` instead of starting over.
        var linger = Duration.seconds(30)
    }

    let store: any BookingStore
    let feed: any SeatChangeFeed
    let configuration: Configuration
    let logger: Logger
    /// Subscribers now (`booking_stream_subscribers`).
    let subscribersChanged: @Sendable (Int) -> Void

    private struct Channel {
        /// nil while the map is being read.
        var map: SeatMap?
        var loading = false
        /// Changes that arrived while the map was being read.
        var pending: [SeatChange] = []
        /// The latest changes, ascending and consecutive, all applied to `map`.
        var recent: [SeatChange] = []
        /// Applied and not yet sent.
        var unsent: [SeatChange] = []
        var subscribers: [Int: SeatSubscription] = [:]
        /// Subscribers that get the map once it has been read.
        var awaiting: Set<Int> = []
        /// Callers waiting for the map to be read: true when the event exists.
        var loadWaiters: [CheckedContinuation<Result<Bool, ReservationError>, Never>] = []
        /// Since when it has had no subscriber.
        var idleSince: ContinuousClock.Instant?
    }

    private struct State {
        var listening = false
        var channels: [Int64: Channel] = [:]
        var nextID = 0
        var stopped = false
        var subscriberCount = 0
    }

    private let state = Mutex(State())

    init(
        store: any BookingStore, feed: any SeatChangeFeed, configuration: Configuration = .init(), logger: Logger,
        subscribersChanged: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.store = store
        self.feed = feed
        self.configuration = configuration
        self.logger = logger
        self.subscribersChanged = subscribersChanged
    }

    // MARK: - Service

    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.listen() }
                group.addTask { await self.flushLoop() }
                // Both end when the hub stops.
                await self.stopped()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Ends every stream and refuses new ones: a stream never ends by itself, and the HTTP server
    /// waits for its responses to end before it stops.
    func stop() {
        let subscriptions = state.withLock { state in
            state.stopped = true
            let subscriptions = state.channels.values.flatMap { $0.subscribers.values }
            state.channels = [:]
            state.subscriberCount = 0
            return subscriptions
        }
        subscriptions.forEach { $0.close() }
        subscribersChanged(0)
    }

    private func stopped() async {
        while !state.withLock({ $0.stopped }) {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func listen() async {
        for await event in feed.events() {
            switch event {
            case .listening: markListening()
            case .lost:
                logger.warning("seat changes may have been missed: every live map is read again")
                markListening()
                reloadAll()
            case .changed(let change): receive(change)
            }
        }
    }

    private func markListening() {
        state.withLock { $0.listening = true }
    }

    private func flushLoop() async {
        var sincePing = Duration.zero
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.gather)
            flush()
            sincePing += configuration.gather
            if sincePing >= .seconds(1) {
                sincePing = .zero
                ping()
                dropIdle()
            }
        }
    }

    // MARK: - Subscribing

    /// A subscription to the event's seats: first the map (or, given the version a client last
    /// saw, the changes since, when they are still at hand), then the changes as they commit.
    /// Throws ``ReservationError/eventNotFound`` before anything is sent, or
    /// ``ReservationError/storeUnavailable``.
    func subscribe(eventID: Int64, after lastVersion: Int64? = nil) async throws(ReservationError) -> SeatSubscription {
        try await awaitListening()
        while true {
            guard try await ensureLoaded(eventID) else { throw .eventNotFound }
            let subscription: SeatSubscription? = state.withLock { state in
                guard !state.stopped, var channel = state.channels[eventID] else { return nil }
                let subscription = SeatSubscription(id: state.nextID, eventID: eventID, backlog: configuration.backlog)
                state.nextID += 1
                channel.subscribers[subscription.id] = subscription
                channel.idleSince = nil
                if let map = channel.map {
                    Self.start(subscription, on: map, recent: channel.recent, after: lastVersion)
                } else {
                    channel.awaiting.insert(subscription.id)
                }
                state.channels[eventID] = channel
                state.subscriberCount += 1
                return subscription
            }
            if let subscription {
                subscribersChanged(state.withLock { $0.subscriberCount })
                return subscription
            }
            if state.withLock({ $0.stopped }) { throw .storeUnavailable }
            // The channel went away between reading and subscribing: read it again.
        }
    }

    func unsubscribe(_ subscription: SeatSubscription) {
        let count: Int? = state.withLock { state in
            guard var channel = state.channels[subscription.eventID],
                  channel.subscribers.removeValue(forKey: subscription.id) != nil else { return nil }
            channel.awaiting.remove(subscription.id)
            // Kept, and kept up to date, for `linger`: see `dropIdle()`.
            if channel.subscribers.isEmpty { channel.idleSince = .now }
            state.channels[subscription.eventID] = channel
            state.subscriberCount -= 1
            return state.subscriberCount
        }
        subscription.close()
        if let count { subscribersChanged(count) }
    }

    /// Subscribers now, over every event.
    var subscriberCount: Int { state.withLock { $0.subscriberCount } }

    /// The first message of a subscriber: the changes after `lastVersion` when the channel has
    /// every one of them, else the map.
    private static func start(_ subscription: SeatSubscription, on map: SeatMap, recent: [SeatChange], after lastVersion: Int64?) {
        if let lastVersion, lastVersion <= map.version,
           lastVersion == map.version || (recent.first.map { $0.version <= lastVersion + 1 } ?? false) {
            let after = recent.filter { $0.version > lastVersion }
            if after.isEmpty {
                // Up to date: nothing to send until the next change.
                subscription.post(.seats(version: map.version, changes: []))
            } else {
                subscription.post(.seats(version: map.version, changes: gathered(after)))
            }
        } else {
            subscription.post(.snapshot(map))
        }
    }

    /// Waits (polling: nothing is left waiting when the time is up) until the feed listens, at
    /// most `listenWait`: without it no change could be placed after the snapshot.
    private func awaitListening() async throws(ReservationError) {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.listenWait
        while true {
            let (listening, stopped) = state.withLock { ($0.listening, $0.stopped) }
            if stopped { throw .storeUnavailable }
            if listening { return }
            guard clock.now < deadline else { throw .storeUnavailable }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Reads the event's map unless it is live already; false when there is no such event.
    private func ensureLoaded(_ eventID: Int64) async throws(ReservationError) -> Bool {
        enum Step { case ready, wait, load }
        let step: Step = state.withLock { state in
            if let channel = state.channels[eventID] {
                if channel.map != nil { return .ready }
                if channel.loading { return .wait }
            }
            var channel = state.channels[eventID] ?? Channel()
            channel.loading = true
            state.channels[eventID] = channel
            return .load
        }
        switch step {
        case .ready: return true
        case .load: return try await load(eventID).get()
        case .wait:
            let result = await withCheckedContinuation { continuation in
                let ready: Result<Bool, ReservationError>? = state.withLock { state in
                    guard var channel = state.channels[eventID] else { return .success(false) }
                    if channel.map != nil { return .success(true) }
                    channel.loadWaiters.append(continuation)
                    state.channels[eventID] = channel
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
            return try result.get()
        }
    }

    /// Reads the map from the store (the channel is marked loading), applies what arrived
    /// meanwhile, and sends it to every subscriber waiting for it.
    @discardableResult
    private func load(_ eventID: Int64) async -> Result<Bool, ReservationError> {
        let loaded: Result<SeatMap?, ReservationError>
        do {
            loaded = .success(try await store.seatMap(eventID: eventID))
        } catch let error as ReservationError {
            loaded = .failure(error)
        } catch {
            loaded = .failure(.storeUnavailable)
        }
        let (outcome, waiters, reload): (Result<Bool, ReservationError>, [CheckedContinuation<Result<Bool, ReservationError>, Never>], Bool) =
            state.withLock { state in
                guard var channel = state.channels[eventID] else { return (.success(false), [], false) }
                let waiters = channel.loadWaiters
                channel.loadWaiters = []
                switch loaded {
                case .failure(let error):
                    channel.loading = false
                    let awaiting = channel.awaiting.compactMap { channel.subscribers[$0] }
                    channel.awaiting = []
                    // Subscribers already streaming end; they reconnect.
                    awaiting.forEach { $0.close() }
                    state.channels[eventID] = channel.subscribers.isEmpty ? nil : channel
                    return (.failure(error), waiters, false)
                case .success(nil):
                    state.channels[eventID] = nil
                    channel.subscribers.values.forEach { $0.close() }
                    return (.success(false), waiters, false)
                case .success(var map?):
                    var gap = false
                    for change in channel.pending.sorted(by: { $0.version < $1.version }) where change.version > map.version {
                        guard change.version == map.version + 1, change.seats != nil else {
                            gap = true
                            break
                        }
                        map.apply(change)
                    }
                    channel.pending = []
                    if gap {
                        // Read again: a change between the map and the feed cannot be placed.
                        state.channels[eventID] = channel
                        return (.success(true), waiters, true)
                    }
                    channel.map = map
                    channel.loading = false
                    channel.recent = []
                    channel.unsent = []
                    for id in channel.awaiting {
                        channel.subscribers[id]?.replace(with: map)
                    }
                    channel.awaiting = []
                    state.channels[eventID] = channel
                    return (.success(true), waiters, false)
                }
            }
        if reload { return await load(eventID) }
        waiters.forEach { $0.resume(returning: outcome) }
        return outcome
    }

    // MARK: - Changes

    private func receive(_ change: SeatChange) {
        let reload: Bool = state.withLock { state in
            guard var channel = state.channels[change.eventID] else { return false }
            defer { state.channels[change.eventID] = channel }
            guard !channel.loading, var map = channel.map else {
                channel.pending.append(change)
                return false
            }
            if change.version <= map.version { return false }
            guard change.version == map.version + 1, change.seats != nil else {
                Self.markReload(&channel, with: change)
                return true
            }
            map.apply(change)
            channel.map = map
            channel.recent.append(change)
            if channel.recent.count > configuration.retained { channel.recent.removeFirst(channel.recent.count - configuration.retained) }
            channel.unsent.append(change)
            return false
        }
        if reload { Task { await self.load(change.eventID) } }
    }

    private static func markReload(_ channel: inout Channel, with change: SeatChange?) {
        channel.map = nil
        channel.loading = true
        channel.pending = change.map { [$0] } ?? []
        channel.recent = []
        channel.unsent = []
        channel.awaiting = Set(channel.subscribers.keys)
    }

    private func reloadAll() {
        let events: [Int64] = state.withLock { state in
            var events: [Int64] = []
            for (eventID, var channel) in state.channels where !channel.loading {
                Self.markReload(&channel, with: nil)
                state.channels[eventID] = channel
                events.append(eventID)
            }
            return events
        }
        for eventID in events { Task { await self.load(eventID) } }
    }

    /// Sends each channel's unsent changes, gathered, to its subscribers; a subscriber too far
    /// behind gets the map instead.
    private func flush() {
        state.withLock { state in
            for (eventID, var channel) in state.channels where !channel.unsent.isEmpty {
                guard let map = channel.map, let last = channel.unsent.last?.version else { continue }
                // Encoded once, for every subscriber.
                let batch = StreamMessage.seats(version: last, changes: Self.gathered(channel.unsent))
                channel.unsent = []
                state.channels[eventID] = channel
                for subscription in channel.subscribers.values where !channel.awaiting.contains(subscription.id) {
                    // A subscriber that joined within the batch has its first part already; states
                    // are absolute, so the rest of the batch repeats nothing wrong.
                    guard subscription.version < last else { continue }
                    if !subscription.post(batch) { subscription.replace(with: map) }
                }
            }
        }
    }

    /// Forgets the events nobody has streamed for `linger`.
    private func dropIdle() {
        state.withLock { state in
            let now = ContinuousClock.now
            for (eventID, channel) in state.channels
            where channel.subscribers.isEmpty && !channel.loading && channel.idleSince.map({ now - $0 >= configuration.linger }) == true {
                state.channels[eventID] = nil
            }
        }
    }

    private func ping() {
        let quiet: [SeatSubscription] = state.withLock { state in
            state.channels.values.flatMap { $0.subscribers.values }.filter { $0.quiet(for: configuration.ping) }
        }
        quiet.forEach { $0.post(.ping) }
    }

    /// Changes in version order as one: each seat once, with its last state.
    static func gathered(_ changes: [SeatChange]) -> [SeatChange.Seat] {
        var index: [Int: Int] = [:]
        var seats: [SeatChange.Seat] = []
        for change in changes {
            for seat in change.seats ?? [] {
                if let at = index[seat.seatNumber] {
                    seats[at] = seat
                } else {
                    index[seat.seatNumber] = seats.count
                    seats.append(seat)
                }
            }
        }
        return seats
    }
}
