import AsyncHTTPClient
import BookingCore
import BookingCoreDoubles
import Foundation
import Hummingbird
import Logging
import Testing

@testable import BookingServer

/// `GET /api/events/{id}/seats` and `GET /api/events/{id}/stream` on the real stores: the map,
/// the snapshot, each kind of change in order, resumption, pings, unknown events, and changes made
/// through another instance.
@Suite("Seat map and stream", .timeLimit(.minutes(2)))
struct SeatStreamTests {
    /// A live server with its hub, an HTTP client, and the API over it.
    private func withServer(
        ping: Duration = .seconds(15), metrics: ServerMetrics = ServerMetrics(routes: APIRoutes.templates),
        _ body: @Sendable @escaping (LiveAPI, String) async throws -> Void
    ) async throws {
        try await StreamServer.with(ping: ping, metrics: metrics) { baseURL in
            try await LiveAPI.withHTTPClient { http in
                try await body(LiveAPI(http: http, baseURL: baseURL), baseURL)
            }
        }
    }

    private static func states(_ event: SSEEvent?) -> [Int64: String] {
        var states: [Int64: String] = [:]
        for change in event?.json?["changes"]?.array ?? [] {
            if let seat = change["seat_no"]?.int, let state = change["state"]?.string { states[seat] = state }
        }
        return states
    }

    @Test func theMapIsEverySeatsStateWithTheVersion() async throws {
        try await withServer { api, _ in
            let event = try await api.createEvent(seats: 5)
            let fresh = try await api.get("/api/events/\(event)/seats")
            #expect(fresh.status == 200)
            #expect(fresh.json?["success"]?.bool == true)
            #expect(fresh.json?["event_id"]?.int == event)
            #expect(fresh.json?["total_seats"]?.int == 5)
            #expect(fresh.json?["seats"]?.string == "00000")
            let before = try #require(fresh.json?["version"]?.int)
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 2).status == 201)
            #expect(try await api.hold(event: event, user: TestEnvironment.uniqueUser(), seat: 4).status == 201)
            let after = try await api.get("/api/events/\(event)/seats")
            #expect(after.json?["seats"]?.string == "02010")
            #expect(try #require(after.json?["version"]?.int) > before)
        }
    }

    @Test func anUnknownEventIsNotFoundBeforeAnyStream() async throws {
        try await withServer { api, _ in
            let seats = try await api.get("/api/events/\(Int64(1) << 51)/seats")
            #expect(seats.status == 404)
            #expect(seats.code == "EVENT_NOT_FOUND")
            let stream = try await api.get("/api/events/\(Int64(1) << 51)/stream")
            #expect(stream.status == 404)
            #expect(stream.code == "EVENT_NOT_FOUND")
            #expect(stream.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect(try await api.get("/api/events/abc/stream").status == 400)
        }
    }

    @Test func theStreamStartsWithTheSnapshotThenEachChangeInVersionOrder() async throws {
        try await withServer { api, baseURL in
            let event = try await api.createEvent(seats: 4)
            let first = try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 1)
            #expect(first.status == 201)
            let stream = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream")
            defer { stream.close() }
            #expect(stream.status == 200)
            #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            let snapshot = try #require(try await stream.nextEvent())
            #expect(snapshot.event == "snapshot")
            #expect(snapshot.json?["seats"]?.string == "2000")
            #expect(snapshot.json?["total_seats"]?.int == 4)
            let seats = try await api.get("/api/events/\(event)/seats")
            #expect(snapshot.id == seats.json?["version"]?.int.map(String.init))
            var last = try #require(snapshot.id.flatMap { Int64($0) })

            // Each kind of change, one at a time: the stream says it, with a higher version.
            let holder = TestEnvironment.uniqueUser()
            let hold = try await api.hold(event: event, user: holder, seat: 3)
            var change = try await stream.nextEvent()
            #expect(change?.event == "seats")
            #expect(Self.states(change) == [3: "held"])
            var version = try #require(change?.id.flatMap { Int64($0) })
            #expect(version > last)
            last = version
            #expect(try await api.confirm(booking: try #require(hold.bookingID), user: holder).status == 200)
            change = try await stream.nextEvent()
            #expect(Self.states(change) == [3: "taken"])
            version = try #require(change?.id.flatMap { Int64($0) })
            #expect(version > last)
            last = version
            #expect(try await api.cancel(booking: try #require(first.bookingID), user: try #require(first.booking?["user_id"]?.string)).status == 200)
            change = try await stream.nextEvent()
            #expect(Self.states(change) == [1: "free"])
            version = try #require(change?.id.flatMap { Int64($0) })
            #expect(version > last)
            #expect(change?.json?["version"]?.int == version)
            let final = try await api.get("/api/events/\(event)/seats")
            #expect(final.json?["seats"]?.string == "0020")
            #expect(final.json?["version"]?.int == version, "the states after the last event equal /seats")
        }
    }

    @Test func changesGatheredInABurstEndOnTheMapOfSeats() async throws {
        try await withServer { api, baseURL in
            let event = try await api.createEvent(seats: 40)
            let stream = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream")
            defer { stream.close() }
            let snapshot = try #require(try await stream.nextEvent())
            var seats = Array((snapshot.json?["seats"]?.string ?? "").utf8)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<30 {
                    group.addTask { _ = try await api.reserve(event: event, user: TestEnvironment.uniqueUser()) }
                }
                try await group.waitForAll()
            }
            let expected = try await api.get("/api/events/\(event)/seats")
            let target = try #require(expected.json?["version"]?.int)
            var version = Int64(snapshot.id ?? "0") ?? 0
            while version < target {
                let change = try #require(try await stream.nextEvent())
                let next = try #require(change.id.flatMap { Int64($0) })
                #expect(next > version, "versions only grow")
                version = next
                for (seat, state) in Self.states(change) {
                    seats[Int(seat) - 1] = state == "taken" ? UInt8(ascii: "2") : state == "held" ? UInt8(ascii: "1") : UInt8(ascii: "0")
                }
            }
            #expect(String(decoding: seats, as: UTF8.self) == expected.json?["seats"]?.string)
        }
    }

    /// Moved by the event's own path (a reserve without the cache moves the event's lapsed holds
    /// first), not by an expiry task, which would move every test's lapsed holds in the shared
    /// database; the expiry task's moves are the same statements' (HoldExpiryTests).
    @Test func aLapsedHoldMovedToHistoryIsFreedOnTheStream() async throws {
        try await withServer { api, baseURL in
            let event = try await api.createEvent(seats: 2)
            let stream = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream")
            defer { stream.close() }
            _ = try await stream.nextEvent()
            let hold = try await api.hold(event: event, user: TestEnvironment.uniqueUser(), seat: 2, seconds: 1)
            #expect(hold.status == 201)
            #expect(Self.states(try await stream.nextEvent()) == [2: "held"])
            try await Task.sleep(for: .milliseconds(1_200))
            try await TestDatabase.withClient { client in
                _ = try await PostgresBookingStore(client: client).reserveWithoutCache(eventID: event, userID: TestEnvironment.uniqueUser(), seatNumber: 1)
            }
            var states: [Int64: String] = [:]
            while states.count < 2, let change = try await stream.nextEvent(within: .seconds(10)) {
                states.merge(Self.states(change)) { $1 }
            }
            #expect(states == [1: "taken", 2: "free"])
        }
    }

    @Test func aClientResumingWithLastEventIDGetsTheChangesAfterIt() async throws {
        try await withServer { api, baseURL in
            let event = try await api.createEvent(seats: 5)
            let stream = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream")
            let snapshot = try #require(try await stream.nextEvent())
            let seen = try #require(snapshot.id)
            stream.close()
            // Missed while away (the instance keeps the event live for a while after its last
            // subscriber left, so it still has them).
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 2).status == 201)
            #expect(try await api.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 5).status == 201)
            let current = try await api.get("/api/events/\(event)/seats")
            let version = try #require(current.json?["version"]?.int)
            // Both changes have reached the hub once a new subscriber's snapshot has them.
            let keeper = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream")
            defer { keeper.close() }
            var known = try #require(try await keeper.nextEvent())
            while known.id != String(version) { known = try #require(try await keeper.nextEvent(within: .seconds(10))) }

            let resumed = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream", lastEventID: seen)
            defer { resumed.close() }
            let first = try #require(try await resumed.nextEvent())
            #expect(first.event == "seats", "the changes after the id, not a snapshot")
            #expect(Self.states(first) == [2: "taken", 5: "taken"])
            #expect(first.id == String(version))

            // An id that is not at hand (ahead of the map, or unparsable) gets a snapshot.
            for unknown in [String(version + 1_000), "not-a-version"] {
                let fresh = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream", lastEventID: unknown)
                defer { fresh.close() }
                let first = try await fresh.nextEvent()
                #expect(first?.event == "snapshot")
                #expect(first?.json?["seats"]?.string == "02002")
            }
        }
    }

    @Test func aQuietStreamIsPinged() async throws {
        try await withServer(ping: .seconds(1)) { api, baseURL in
            let event = try await api.createEvent(seats: 1)
            let stream = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream")
            defer { stream.close() }
            #expect(try await stream.next()?.event == "snapshot")
            let ping = try await stream.next(within: .seconds(6))
            #expect(ping?.comment == "ping")
        }
    }

    @Test func aChangeMadeThroughAnotherInstanceReachesThisOnesSubscribers() async throws {
        try await withServer { api, baseURL in
            try await withServer { other, _ in
                let event = try await api.createEvent(seats: 3)
                let stream = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream")
                defer { stream.close() }
                #expect(try await stream.nextEvent()?.event == "snapshot")
                #expect(try await other.reserve(event: event, user: TestEnvironment.uniqueUser(), seat: 3).status == 201)
                // How fast is for the browser tests and the benchmark; here, that it comes at all.
                let change = try await stream.nextEvent(within: .seconds(10))
                #expect(Self.states(change) == [3: "taken"])
            }
        }
    }

    @Test func withoutPostgreSQLTheStreamIsUnavailableNotAHang() async throws {
        try await StreamServer.with(databaseURL: TestEnvironment.unreachableDatabaseURL) { baseURL in
            try await LiveAPI.withHTTPClient { http in
                let reply = try await LiveAPI(http: http, baseURL: baseURL).get("/api/events/1/stream")
                #expect(reply.status == 503)
                #expect(reply.code == "UNAVAILABLE")
            }
        }
    }

    @Test func theSubscribersAreCountedOnMetrics() async throws {
        let metrics = ServerMetrics(routes: APIRoutes.templates)
        try await withServer(ping: .seconds(1), metrics: metrics) { api, baseURL in
            let event = try await api.createEvent(seats: 1)
            func subscribers() async throws -> Double? {
                let text = try await api.get("/metrics").text
                return PrometheusText(text).value("booking_stream_subscribers")
            }
            #expect(try await subscribers() == 0)
            let stream = try await SSEStream.open(api.http, baseURL, "/api/events/\(event)/stream")
            _ = try await stream.nextEvent()
            #expect(try await subscribers() == 1)
            stream.close()
            var count = try await subscribers()
            // The server notices the closed connection at its next write: a ping (1 s) at most.
            for _ in 0..<200 where count != 0 {
                try await Task.sleep(for: .milliseconds(50))
                count = try await subscribers()
            }
            #expect(count == 0)
        }
    }
}

/// The hub alone, over the in-memory store and its feed.
@Suite("Seat hub", .timeLimit(.minutes(1)))
struct SeatHubTests {
    private static func hub(_ store: InMemoryBookingStore, backlog: Int = 64) -> SeatHub {
        var configuration = SeatHub.Configuration()
        configuration.gather = .milliseconds(20)
        configuration.backlog = backlog
        var logger = Logger(label: "seat-hub-tests")
        logger.logLevel = .critical
        return SeatHub(store: store, feed: store, configuration: configuration, logger: logger)
    }

    private static func withRunning<T: Sendable>(_ hub: SeatHub, _ body: () async throws -> T) async throws -> T {
        let running = Task { try await hub.run() }
        defer {
            hub.stop()
            running.cancel()
        }
        return try await body()
    }

    @Test func aSubscriberTooFarBehindGetsASnapshotInsteadOfABacklog() async throws {
        let store = InMemoryBookingStore()
        let hub = Self.hub(store, backlog: 2)
        try await Self.withRunning(hub) {
            let event = try await store.createEvent(name: "Slow", totalSeats: 50)
            let slow = try await hub.subscribe(eventID: event.id)
            guard case .snapshot = await slow.next() else { throw TestFailure("no snapshot first") }
            // Changes in several gathering intervals, none read.
            for seat in 1...10 {
                _ = try await store.insertBooking(eventID: event.id, userID: "u\(seat)", seatNumber: seat)
                try await Task.sleep(for: .milliseconds(40))
            }
            var messages: [StreamMessage] = []
            while messages.count < 10, let message = await slow.nextWithin(.milliseconds(500)) {
                if message != .ping { messages.append(message) }
            }
            // What it was sent: a snapshot in place of what it could not keep, then the changes after it.
            let last = try #require(messages.lastIndex { if case .snapshot = $0 { true } else { false } }, "a snapshot replaced the backlog: \(messages)")
            guard case .snapshot(var map) = messages[last] else { throw TestFailure("not a snapshot") }
            for case .seats(let batch) in messages[(last + 1)...] {
                map.apply(SeatChange(eventID: event.id, version: batch.version, seats: batch.changes))
            }
            #expect(String(decoding: map.states.prefix(11), as: UTF8.self) == "22222222220")
            #expect(map.version == (try await store.seatMap(eventID: event.id))?.version)
            #expect(messages.count <= 4, "never more than the backlog, its snapshot and what came after: \(messages)")
        }
    }

    @Test func aStreamAnswerDroppedBeforeItsBodyRanEndsItsSubscription() async throws {
        let store = InMemoryBookingStore()
        let hub = Self.hub(store)
        try await Self.withRunning(hub) {
            let event = try await store.createEvent(name: "Gone", totalSeats: 3)
            let kept = try await hub.subscribe(eventID: event.id)
            var dropped: Response? = SeatRoutes.response(
                streaming: SeatStreamLease(hub: hub, subscription: try await hub.subscribe(eventID: event.id))
            )
            #expect(hub.subscriberCount == 2)
            #expect(dropped?.status == .ok)
            // What the server does with the answer of a client that left before the head went
            // out: lets it go, never calling its body.
            dropped = nil
            #expect(hub.subscriberCount == 1, "only the subscription whose answer is still held")
            hub.unsubscribe(kept)
            #expect(hub.subscriberCount == 0)
        }
    }

    @Test func anUnknownEventIsRefusedAndAStoppedHubEndsItsStreams() async throws {
        let store = InMemoryBookingStore()
        let hub = Self.hub(store)
        let running = Task { try await hub.run() }
        defer { running.cancel() }
        await #expect(throws: ReservationError.eventNotFound) { _ = try await hub.subscribe(eventID: 999) }
        let event = try await store.createEvent(name: "Stop", totalSeats: 1)
        let subscription = try await hub.subscribe(eventID: event.id)
        #expect(hub.subscriberCount == 1)
        guard case .snapshot = await subscription.next() else { throw TestFailure("no snapshot first") }
        hub.stop()
        #expect(await subscription.next() == nil)
        await #expect(throws: ReservationError.storeUnavailable) { _ = try await hub.subscribe(eventID: event.id) }
    }
}

extension SeatSubscription {
    /// The next message within `limit`, or nil.
    func nextWithin(_ limit: Duration) async -> StreamMessage? {
        await withTaskGroup(of: StreamMessage?.self) { group in
            group.addTask { await self.next() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // The waiting `next()` ends only with a message: wake it with one to drop.
            if first == nil { self.post(.ping) }
            return first
        }
    }
}

/// The notification text of migration 9, as the feed reads it.
@Suite("Seat notification text")
struct SeatNotificationTextTests {
    @Test func eachStateAndTheResyncWordParse() {
        #expect(PostgresSeatFeed.change("42 7 3:2 4:0 5:1:1795000000123456") == SeatChange(eventID: 42, version: 7, seats: [
            .init(seatNumber: 3, state: .taken), .init(seatNumber: 4, state: .free),
            .init(seatNumber: 5, state: .held, holdEnd: 1_795_000_000_123_456),
        ]))
        #expect(PostgresSeatFeed.change("42 8 resync") == SeatChange(eventID: 42, version: 8, seats: nil))
    }

    @Test(arguments: ["", "42", "42 7", "x 7 1:2", "42 y 1:2", "42 7 1:3", "42 7 0:2", "42 7 1:1", "42 7 1:2:5", "42 7 1:1:z", "42 7 :2"])
    func anythingElseIsRefused(_ payload: String) {
        #expect(PostgresSeatFeed.change(payload) == nil)
    }
}
