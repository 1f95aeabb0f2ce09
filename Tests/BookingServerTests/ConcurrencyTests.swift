import Foundation
import Postgres
import Redis
import Synchronization
import Testing

/// What one racing request got back.
struct RaceOutcome: Sendable {
    let user: String
    let status: Int
    let code: String?
    let seat: Int64?
    let bookedUser: String?
}

/// Fires one reservation per user at `servers` (round robin), at most `concurrency` in flight,
/// calling `progress` with the number of answers so far (awaited; other requests keep running).
func race(
    event: Int64, users: [String], servers: [any APIClient], concurrency: Int = 64,
    progress: @escaping @Sendable (Int) async throws -> Void = { _ in }
) async throws -> [RaceOutcome] {
    try await withThrowingTaskGroup(of: RaceOutcome.self) { group in
        var started = 0
        func start(_ group: inout ThrowingTaskGroup<RaceOutcome, any Error>) {
            let user = users[started]
            let server = servers[started % servers.count]
            group.addTask {
                let reply = try await server.reserve(event: event, user: user)
                return RaceOutcome(
                    user: user, status: reply.status, code: reply.code, seat: reply.seat,
                    bookedUser: reply.booking?["user_id"]?.string
                )
            }
            started += 1
        }
        while started < min(concurrency, users.count) { start(&group) }
        var outcomes: [RaceOutcome] = []
        outcomes.reserveCapacity(users.count)
        while let outcome = try await group.next() {
            outcomes.append(outcome)
            try await progress(outcomes.count)
            if started < users.count { start(&group) }
        }
        return outcomes
    }
}

/// The flash sale's exact result: `seats` winners on seats 1…seats, everyone else sold out,
/// checked in the answers, in PostgreSQL and through the event endpoint.
func expectExactSale(
    _ outcomes: [RaceOutcome], event: Int64, seats: Int, users: Int, api: some APIClient,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let won = outcomes.filter { $0.status == 201 }
    let soldOut = outcomes.filter { $0.status == 409 && $0.code == "SOLD_OUT" }
    let other = outcomes.filter { $0.status != 201 && !($0.status == 409 && $0.code == "SOLD_OUT") }
    #expect(outcomes.count == users, sourceLocation: sourceLocation)
    #expect(won.count == seats, "201s", sourceLocation: sourceLocation)
    #expect(soldOut.count == users - seats, "SOLD_OUTs", sourceLocation: sourceLocation)
    #expect(other.isEmpty, "unexpected answers: \(other.prefix(5).map { "\($0.status) \($0.code ?? "-")" })", sourceLocation: sourceLocation)
    #expect(won.compactMap(\.seat).sorted() == (1...Int64(seats)).map { $0 }, "seat numbers are exactly 1…\(seats)", sourceLocation: sourceLocation)
    #expect(Set(won.map(\.user)).count == won.count, "no user twice", sourceLocation: sourceLocation)
    #expect(won.allSatisfy { $0.bookedUser == $0.user }, "each booking is its requester's", sourceLocation: sourceLocation)

    let stored = try await TestDatabase.confirmedBookings(event: event)
    #expect(
        stored == .init(count: seats, distinctSeats: seats, distinctUsers: seats, minSeat: 1, maxSeat: seats),
        "PostgreSQL holds exactly the winners: \(stored)", sourceLocation: sourceLocation
    )
    let shown = try await api.get("/api/events/\(event)")
    #expect(shown.json?["event"]?["available_seats"] == .int(0), "\(shown)", sourceLocation: sourceLocation)
    #expect(shown.json?["event"]?["booked_seats"] == .int(Int64(seats)), "\(shown)", sourceLocation: sourceLocation)
}

/// Races and churn against real PostgreSQL and Redis. Serialized: each test saturates the two
/// cores on its own, and their timings stay meaningful.
@Suite("Concurrency", .serialized)
struct ConcurrencyTests {
    static func flashSaleUsers(_ count: Int = 1_000) -> [String] {
        let run = UUID().uuidString.prefix(8)
        return (0..<count).map { "fan-\(run)-\($0)" }
    }

    @Test func flashSaleOf200SeatsFor1000UsersIsExact() async throws {
        try await ExclusiveSection.run { try await TestServer.withLiveAPI { api in
            let event = try await api.createEvent(seats: 200)
            let outcomes = try await race(event: event, users: Self.flashSaleUsers(), servers: [api])
            try await expectExactSale(outcomes, event: event, seats: 200, users: 1_000, api: api)
            let cache = try await TestSeatCache.snapshot(event)
            #expect(cache.free == 0 && cache.takenSeats == 200 && cache.users == 200, "the seat cache agrees: \(cache)")
        } }
    }

    /// The seat cache on a Redis Cluster (`REDIS_URL=redis-cluster://...`): each event's keys on
    /// the primary of its hash tag's slot.
    @Test func flashSaleOnARedisClusterIsExactAndItsCacheIsOnTheCluster() async throws {
        try await ExclusiveSection.run { try await TestServer.withLiveAPI(redisURL: TestEnvironment.redisClusterURL) { api in
            let event = try await api.createEvent(seats: 200)
            let outcomes = try await race(event: event, users: Self.flashSaleUsers(), servers: [api])
            try await expectExactSale(outcomes, event: event, seats: 200, users: 1_000, api: api)
            let cache = try await TestSeatCache.snapshot(event, url: TestEnvironment.redisClusterURL)
            #expect(cache.exists && cache.free == 0 && cache.takenSeats == 200 && cache.users == 200, "the cache on the cluster: \(cache)")
        } }
    }

    @Test func flashSaleStaysExactWhenTheEventsRedisKeysVanishMidSale() async throws {
        try await ExclusiveSection.run { try await TestServer.withLiveAPI { api in
            let event = try await api.createEvent(seats: 200)
            let redis = RedisClient(configuration: try RedisConfiguration(url: TestEnvironment.redisURL), logger: TestEnvironment.logger)
            defer { redis.close() }
            let flushes = SharedCounter()
            // Once while seats remain (~100 answers in), and once halfway (~500 answers in).
            let outcomes = try await race(event: event, users: Self.flashSaleUsers(), servers: [api]) { answered in
                guard answered == 100 || answered == 500 else { return }
                try await TestSeatCache.deleteKeys(event, client: redis)
                flushes.increment()
            }
            #expect(flushes.current == 2)
            try await expectExactSale(outcomes, event: event, seats: 200, users: 1_000, api: api)
        } }
    }

    @Test func flashSaleStaysExactWithRedisUnreachable() async throws {
        try await ExclusiveSection.run { try await TestServer.withLiveAPI(redisURL: TestEnvironment.unreachableRedisURL) { api in
            let event = try await api.createEvent(seats: 200)
            let outcomes = try await race(event: event, users: Self.flashSaleUsers(), servers: [api])
            try await expectExactSale(outcomes, event: event, seats: 200, users: 1_000, api: api)
        } }
    }

    @Test func oneUserFiring30ConcurrentReservesGetsExactlyOneBooking() async throws {
        try await ExclusiveSection.run { try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 50)
            let user = TestEnvironment.uniqueUser("eager")
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<30 { group.addTask { try await api.reserve(event: event, user: user) } }
                return try await group.reduce(into: [Reply]()) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == 201 }.count == 1, "\(replies.filter { $0.status != 409 }.map(\.description))")
            let rest = replies.filter { $0.status != 201 }
            #expect(rest.count == 29)
            for reply in rest { expectError(reply, 409, "ALREADY_BOOKED") }
            let stored = try await TestDatabase.confirmedBookings(event: event)
            #expect(stored.count == 1 && stored.distinctUsers == 1, "\(stored)")
            let cache = try await TestSeatCache.snapshot(event)
            #expect(cache.free == 49 && cache.takenSeats == 1, "one seat taken in the cache: \(cache)")
        } }
    }

    @Test func reserveCancelChurnNeverHoldsMoreConfirmedBookingsThanSeats() async throws {
        try await ExclusiveSection.run { try await TestServer.withAPI { api in
            let seats = 10
            let event = try await api.createEvent(seats: seats)
            let run = UUID().uuidString.prefix(8)
            let users = (0..<50).map { "churn-\(run)-\($0)" }
            let clock = ContinuousClock()
            let stop = clock.now + .seconds(3)
            let churning = RunningFlag()

            try await TestDatabase.withClient { database in
                async let highest: (max: Int, samples: Int) = {
                    var highest = 0
                    var samples = 0
                    while churning.isRunning, !Task.isCancelled {
                        highest = max(highest, try await TestDatabase.confirmedCount(event: event, client: database))
                        samples += 1
                    }
                    return (highest, samples)
                }()
                let tallies = try await withThrowingTaskGroup(of: (reserved: Int, cancelled: Int, unexpected: [String]).self) { group in
                    for user in users {
                        group.addTask {
                            var reserved = 0, cancelled = 0
                            var unexpected: [String] = []
                            while clock.now < stop {
                                let reply = try await api.reserve(event: event, user: user)
                                if reply.status == 201, let id = reply.bookingID {
                                    reserved += 1
                                    // The last booking before the end is kept, so the final state is not empty.
                                    guard clock.now < stop else { break }
                                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...3)))
                                    let cancel = try await api.cancel(booking: id, user: user)
                                    if cancel.status == 200 { cancelled += 1 } else { unexpected.append("cancel: \(cancel)") }
                                } else if !(reply.status == 409 && reply.code == "SOLD_OUT") {
                                    unexpected.append("reserve: \(reply)")
                                }
                            }
                            return (reserved, cancelled, unexpected)
                        }
                    }
                    return try await group.reduce(into: [(reserved: Int, cancelled: Int, unexpected: [String])]()) { $0.append($1) }
                }
                churning.stop()
                let sampled = try await highest

                let unexpected = tallies.flatMap(\.unexpected)
                #expect(unexpected.isEmpty, "\(unexpected.count) unexpected answers: \(unexpected.prefix(5))")
                let reserved = tallies.map(\.reserved).reduce(0, +)
                let cancelled = tallies.map(\.cancelled).reduce(0, +)
                #expect(reserved > seats, "the churn churned: \(reserved) reservations")
                #expect(sampled.samples > 10, "PostgreSQL was sampled during the churn: \(sampled.samples)")
                #expect(sampled.max <= seats, "at most \(seats) confirmed bookings at any sample, saw \(sampled.max)")

                let final = try await TestDatabase.confirmedBookings(event: event, client: database)
                #expect(final.count <= seats && final.count == reserved - cancelled, "final: \(final), \(reserved) − \(cancelled)")
                #expect(final.distinctSeats == final.count && final.distinctUsers == final.count)
                let cache = try await TestSeatCache.snapshot(event)
                #expect(cache.free == Int64(seats - final.count), "Redis free counter = \(seats) − \(final.count): \(cache)")
                #expect(cache.takenSeats == Int64(final.count), "Redis seat bitmap: \(cache)")
                #expect(cache.users == Int64(final.count), "Redis holders: \(cache)")
                let shown = try await api.get("/api/events/\(event)")
                #expect(shown.json?["event"]?["available_seats"] == .int(Int64(seats - final.count)), "\(shown)")
            }
        } }
    }
}
