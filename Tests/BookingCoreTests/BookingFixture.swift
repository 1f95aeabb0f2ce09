import BookingCore
import BookingCoreDoubles
import Logging
import Testing

/// A ``BookingService`` over in-memory ports, with handles on both to arrange and inspect.
struct BookingFixture {
    /// One clock for the store's holds and the cache's: a test moves both at once.
    let holdClock: HoldClock
    let store: InMemoryBookingStore
    let cache: InMemorySeatCache
    let idempotency = InMemoryIdempotencyStore()
    let postCommit = CountingPostCommitSignal()
    let observer = RecordingObserver()
    let service: BookingService

    init(rateLimiter: UserRateLimiter? = nil, configure: (inout BookingService.Configuration) -> Void = { _ in }) {
        holdClock = HoldClock()
        store = InMemoryBookingStore(holdClock: holdClock)
        cache = InMemorySeatCache(holdClock: holdClock)
        var configuration = BookingService.Configuration()
        configure(&configuration)
        // The service's warnings are expected here (outages are simulated); keep the output readable.
        let logger = Logger(label: "booking-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        service = BookingService(
            store: store, cache: cache, idempotency: idempotency, postCommit: postCommit, rateLimiter: rateLimiter,
            configuration: configuration, observer: observer, logger: logger
        )
    }

    func makeEvent(seats: Int, name: String = "Concert") async throws -> Int64 {
        try await service.createEvent(name: name, totalSeats: seats).id
    }

    /// An event whose seat state the cache already holds, with no call counted yet.
    func makeWarmEvent(seats: Int) async throws -> Int64 {
        let eventID = try await makeEvent(seats: seats)
        let state = try #require(try await store.seatState(eventID: eventID))
        try await cache.load(eventID: eventID, state: state)
        resetCalls()
        return eventID
    }

    func resetCalls() {
        store.resetCalls()
        cache.resetCalls()
    }

    func reserve(_ eventID: Int64, _ userID: String, seat: Int? = nil) async -> Result<Booking, ReservationError> {
        do {
            return .success(try await service.reserve(ReservationRequest(eventID: eventID, userID: userID, seatNumber: seat), by: .trusted(isAdmin: false)))
        } catch {
            return .failure(error)
        }
    }

    /// Many reservations at once, one task each.
    func reserveConcurrently(_ eventID: Int64, users: [String]) async -> [Result<Booking, ReservationError>] {
        await withTaskGroup(of: Result<Booking, ReservationError>.self) { group in
            for user in users {
                group.addTask { await reserve(eventID, user) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// The cache agrees with the store's truth: same seats taken, same holders, no lock left.
    func expectCacheMatchesStore(eventID: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let seats = try #require(cache.seats(eventID: eventID), sourceLocation: sourceLocation)
        let confirmed = store.confirmed(eventID: eventID)
        #expect(seats.taken == Set(confirmed.map(\.seatNumber)), sourceLocation: sourceLocation)
        #expect(
            seats.holders == Dictionary(uniqueKeysWithValues: confirmed.map { (InMemorySeatCache.User($0.userID), $0.seatNumber) }),
            sourceLocation: sourceLocation
        )
        #expect(seats.holdersOfUnknownSeat.isEmpty, sourceLocation: sourceLocation)
        #expect(seats.locks.isEmpty, sourceLocation: sourceLocation)
    }
}

extension Result {
    var value: Success? { try? get() }
    var error: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

