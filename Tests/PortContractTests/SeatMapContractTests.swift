import BookingCore
import BookingCoreDoubles
import Foundation
import Postgres
import Synchronization
import Testing

@testable import BookingServer

/// The seat map and its changes: ``BookingStore/seatMap(eventID:)`` and ``SeatChangeFeed``, on
/// ``InMemoryBookingStore`` (the store and its feed) and on PostgreSQL (``PostgresBookingStore``
/// and ``PostgresSeatFeed``, migration 9's triggers and notifications).
@Suite("Seat map and feed contract", .timeLimit(.minutes(2)))
struct SeatMapContractTests {
    /// A store and the feed of its changes.
    private func withStoreAndFeed(
        _ implementation: Implementation, _ body: (any BookingStore, any SeatChangeFeed) async throws -> Void
    ) async throws {
        switch implementation {
        case .inMemory:
            let store = InMemoryBookingStore()
            try await body(store, store)
        case .real:
            try await RealServers.withPostgres { client in
                let feed = PostgresSeatFeed(configuration: try PostgresConfiguration(url: RealServers.databaseURL), logger: RealServers.logger)
                try await body(PostgresBookingStore(client: client), feed)
            }
        }
    }

    private static func map(_ states: String) -> [UInt8] { Array(states.utf8) }

    @Test(arguments: Implementation.allCases)
    func aNewEventsSeatsAreFreeAtVersionZeroAndAnUnknownEventHasNoMap(_ implementation: Implementation) async throws {
        try await withStoreAndFeed(implementation) { store, _ in
            let event = try await store.createEvent(name: "Map", totalSeats: 5)
            let map = try #require(try await store.seatMap(eventID: event.id))
            #expect(map.eventID == event.id)
            #expect(map.totalSeats == 5)
            #expect(map.version == 0)
            #expect(map.states == Self.map("00000"))
            #expect(map.holdEnds.isEmpty)
            #expect(try await store.seatMap(eventID: Unique.eventID()) == nil)
        }
    }

    @Test(arguments: Implementation.allCases)
    func everyChangeOfASeatRaisesTheVersionAndShowsInTheMap(_ implementation: Implementation) async throws {
        try await withStoreAndFeed(implementation) { store, _ in
            let event = try await store.createEvent(name: "Map", totalSeats: 4)
            var last = try #require(try await store.seatMap(eventID: event.id)).version
            func expectMap(_ states: String, _ comment: Comment) async throws -> SeatMap {
                let map = try #require(try await store.seatMap(eventID: event.id))
                #expect(map.states == Self.map(states), comment)
                #expect(map.version > last, comment)
                last = map.version
                return map
            }
            let reserved = try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 2)
            _ = try await expectMap("0200", "a reserve takes its seat")
            let hold = try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 3, holdSeconds: 300)
            let held = try await expectMap("0210", "a hold holds its seat")
            #expect(held.holdEnds == [3: try #require(hold.expiresAt)])
            _ = try await store.confirmHold(id: hold.id, userID: hold.userID)
            let confirmed = try await expectMap("0220", "a confirmed hold takes its seat")
            #expect(confirmed.holdEnds.isEmpty)
            _ = try await store.cancelBooking(id: reserved.id, userID: reserved.userID)
            _ = try await expectMap("0020", "a cancel frees its seat")
            _ = try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: nil)
            _ = try await expectMap("2020", "the path without the cache takes the first free seat")
        }
    }

    @Test(arguments: Implementation.allCases)
    func aLapsedHoldReadsFreeAndMovingItIsAChangeOfItsOwn(_ implementation: Implementation) async throws {
        try await withStoreAndFeed(implementation) { store, _ in
            let event = try await store.createEvent(name: "Map", totalSeats: 2)
            // Three seconds: a loaded test run has taken more than one between the insert and the read.
            let hold = try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 1, holdSeconds: 3)
            let held = try #require(try await store.seatMap(eventID: event.id))
            #expect(held.states == Self.map("10"))
            try await Task.sleep(for: .milliseconds(3_300))
            let lapsed = try #require(try await store.seatMap(eventID: event.id))
            #expect(lapsed.states == Self.map("00"), "a hold counts as free from its end on, moved or not")
            // Moved by the event's own path (the reserve without the cache moves the event's lapsed
            // holds first): the expiry batch would move every test's lapsed holds in the shared database.
            _ = try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: 2)
            #expect(try await store.booking(id: hold.id)?.status == .expired)
            let after = try #require(try await store.seatMap(eventID: event.id))
            #expect(after.states == Self.map("02"))
            #expect(after.version >= held.version + 2, "moving the lapsed hold is a change, and so is the booking")
        }
    }

    @Test(arguments: Implementation.allCases)
    func theFeedAnnouncesEachCommittedChangeWithTheNextVersionInOrder(_ implementation: Implementation) async throws {
        try await withStoreAndFeed(implementation) { store, feed in
            let event = try await store.createEvent(name: "Feed", totalSeats: 3)
            let listening = Flag()
            let changes = Task {
                var received: [SeatChange] = []
                for await item in feed.events() {
                    switch item {
                    case .listening: listening.set()
                    case .changed(let change) where change.eventID == event.id:
                        received.append(change)
                        if received.count == 4 { return received }
                    default: break
                    }
                }
                return received
            }
            defer { changes.cancel() }
            // The changes are made once the feed listens, as a subscriber waits for `.listening`.
            for _ in 0..<1000 where !listening.isSet { try await Task.sleep(for: .milliseconds(10)) }
            try #require(listening.isSet, "the feed did not listen within 10 s")
            let hold = try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 1, holdSeconds: 300)
            _ = try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 3)
            _ = try await store.confirmHold(id: hold.id, userID: hold.userID)
            _ = try await store.cancelBooking(id: hold.id, userID: hold.userID)
            let received = try await withTimeout(.seconds(10), onTimeout: { changes.cancel() }) { await changes.value }
            #expect(received.map(\.version) == [1, 2, 3, 4])
            #expect(received.map(\.seats) == [
                [.init(seatNumber: 1, state: .held, holdEnd: hold.expiresAt)],
                [.init(seatNumber: 3, state: .taken)],
                [.init(seatNumber: 1, state: .taken)],
                [.init(seatNumber: 1, state: .free)],
            ])
            let map = try #require(try await store.seatMap(eventID: event.id))
            #expect(map.version == 4)
        }
    }

    @Test(arguments: Implementation.allCases)
    func theFeedSaysWhenItListens(_ implementation: Implementation) async throws {
        try await withStoreAndFeed(implementation) { _, feed in
            let first = try await withTimeout(.seconds(5)) { () -> SeatFeedEvent? in
                var iterator = feed.events().makeAsyncIterator()
                return await iterator.next()
            }
            #expect(first == .listening)
        }
    }
}

/// `body`'s value, or a failure after `limit`; `onTimeout` must make `body` return (a body that
/// awaits another task's value is not ended by cancelling the group).
func withTimeout<T: Sendable>(
    _ limit: Duration, onTimeout: @escaping @Sendable () -> Void = {}, _ body: @escaping @Sendable () async -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let value = try await group.next() ?? nil else {
            onTimeout()
            throw TimedOut()
        }
        return value
    }
}

struct TimedOut: Error {}

/// A flag set once, read from any task.
final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
