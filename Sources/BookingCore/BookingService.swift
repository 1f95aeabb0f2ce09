import Logging
import Synchronization

/// The booking rules: admit a reservation under the per-user rate limit, answer a retry with an
/// `Idempotency-Key` from its first outcome, reserve through the seat cache and commit in the
/// store, whose constraints decide; fall back to the store alone when the cache is unreachable.
///
/// Hot path of a successful reservation: one cache round trip to lock and allocate, one store
/// round trip to insert, one cache round trip to confirm. A rejection (sold out, already booked)
/// is answered by the first cache round trip alone. A request with an `Idempotency-Key` adds a
/// store round trip before and after.
public struct BookingService: Sendable {
    public struct Configuration: Sendable {
        /// How long a request waits, in total, for another request of the same user for the same
        /// event to finish; past it the lock is taken for stale and the store alone decides.
        public var lockWait: Duration = .seconds(3)
        /// How often an automatically chosen seat may turn out taken in the store (the cache was
        /// stale) before the event is marked for reloading and the store alone decides.
        public var staleSeatRetries = 8
        /// How long a request waits for a concurrent one with the same `Idempotency-Key` to
        /// finish; past it the answer is ``ReservationError/storeUnavailable``.
        public var idempotencyWait: Duration = .seconds(5)
        /// `HOLD_SECONDS`: a hold's length when the request gives none.
        public var holdSeconds = 600

        public init() {}
    }

    let store: any BookingStore
    let cache: any SeatCache
    let idempotency: any IdempotencyStore
    let postCommit: any PostCommitSignal
    /// Nil when there is no per-user limit.
    let rateLimiter: UserRateLimiter?
    let configuration: Configuration
    let logger: Logger
    let observer: any ReservationObserver
    /// Events whose cache an update failed to reach: loaded again before their next use.
    let staleEvents = StaleEvents()
    /// Loads of cold events under way, which concurrent requests share.
    let cacheLoads = CacheLoads()

    public init(
        store: any BookingStore, cache: any SeatCache, idempotency: any IdempotencyStore,
        postCommit: any PostCommitSignal = NoPostCommitSignal(), rateLimiter: UserRateLimiter? = nil,
        configuration: Configuration = .init(),
        observer: any ReservationObserver = NoReservationObserver(), logger: Logger = Logger(label: "booking")
    ) {
        self.store = store
        self.cache = cache
        self.idempotency = idempotency
        self.postCommit = postCommit
        self.rateLimiter = rateLimiter
        self.configuration = configuration
        self.observer = observer
        self.logger = logger
    }

    // MARK: - Reserve

    /// Reserves a seat for the user `caller` is, in this order: whose seat it is (`caller`'s
    /// rule), the rate limit (a refused attempt costs no round trip and claims no key; a replay
    /// counts too, since telling it apart would take the store round trip the limit is there to
    /// spare), the `Idempotency-Key`, then the reservation.
    public func reserve(_ request: ReservationRequest, by caller: Caller) async throws(ReservationError) -> Booking {
        let userID = try caller.user(named: request.userID)
        if let retryAfter = rateLimiter?.admit(userID) {
            let refusal = ReservationError.rateLimited(retryAfterSeconds: retryAfter)
            observer.rejected(refusal)
            throw refusal
        }
        let holdSeconds: Int? = switch request.kind {
        case .reserve: nil
        case .hold(let seconds): seconds ?? configuration.holdSeconds
        }
        guard let key = request.idempotencyKey else {
            return try await reserve(eventID: request.eventID, userID: userID, seatNumber: request.seatNumber, holdSeconds: holdSeconds)
        }
        if let outcome = try await claim(key, of: userID, for: request) { return try outcome.get() }
        let outcome: ReservationOutcome
        do {
            outcome = .reserved(try await reserve(
                eventID: request.eventID, userID: userID, seatNumber: request.seatNumber, holdSeconds: holdSeconds
            ))
        } catch where error.isFinal {
            outcome = .refused(error)
        } catch {
            // Not kept: a retry after it is a fresh attempt.
            await forget(key, of: userID)
            throw error
        }
        do {
            // In a task of its own, which a cancelled request (a client gone, a forced shutdown)
            // does not cancel: the outcome is kept whatever happens to the request.
            try await Task { [idempotency] in try await idempotency.record(outcome, userID: userID, key: key) }.value
        } catch {
            // The answer stands; a retry within the claim's 30-second lease waits and answers
            // 503, one after it is a fresh attempt, which the store's constraints keep from
            // booking twice.
            logger.warning("idempotent outcome not recorded", metadata: ["error": "\(error)"])
        }
        return try outcome.get()
    }

    /// Nil when this request holds the key now; the first request's outcome when it finished.
    private func claim(
        _ key: String, of userID: String, for request: ReservationRequest
    ) async throws(ReservationError) -> ReservationOutcome? {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.idempotencyWait
        while true {
            let claim: IdempotencyClaim
            do {
                claim = try await idempotency.claim(userID: userID, key: key, fingerprint: request.fingerprint)
            } catch {
                throw outcome(of: error)
            }
            switch claim {
            case .claimed: return nil
            case .finished(let outcome): return outcome
            case .reused: throw .idempotencyKeyReused
            case .inFlight:
                guard clock.now < deadline else { throw .storeUnavailable }
                do {
                    try await Task.sleep(for: .milliseconds(10))
                } catch {
                    throw .storeUnavailable
                }
            }
        }
    }

    private func forget(_ key: String, of userID: String) async {
        do {
            // Not cancelled with the request, as `record` above.
            try await Task { [idempotency] in try await idempotency.release(userID: userID, key: key) }.value
        } catch {
            // The claim outlives its request: retries wait for it and answer 503 until its
            // 30-second lease is over. Rare, since the store was reachable a moment ago.
            logger.warning("idempotency key not released", metadata: ["error": "\(error)"])
        }
    }

    /// Reserves (or holds for `holdSeconds`) without an `Idempotency-Key` or a rate limit.
    func reserve(eventID: Int64, userID: String, seatNumber: Int?, holdSeconds: Int? = nil) async throws(ReservationError) -> Booking {
        do {
            let booking = try await reserveThroughCache(
                eventID: eventID, userID: userID, seatNumber: seatNumber, holdSeconds: holdSeconds
            )
            observer.reserved(booking)
            return booking
        } catch let outcome as ReservationError {
            observer.rejected(outcome)
            throw outcome
        } catch where Task.isCancelled {
            // The client is gone: book nothing more for it.
            throw ReservationError.storeUnavailable
        } catch {
            // The cache is unreachable, stale beyond repair, or a lock stayed held (its request
            // crashed): the store alone decides, with every invariant kept.
            logger.warning("seat cache unavailable; reserving through PostgreSQL alone", metadata: [
                "event": "\(eventID)", "error": "\(error)",
            ])
            observer.cacheBypassed()
            do {
                let booking = try await store.reserveWithoutCache(
                    eventID: eventID, userID: userID, seatNumber: seatNumber, holdSeconds: holdSeconds
                )
                postCommit.bookingChangeCommitted()
                observer.reserved(booking)
                return booking
            } catch {
                let outcome = self.outcome(of: error)
                observer.rejected(outcome)
                throw outcome
            }
        }
    }

    /// Throws ``ReservationError`` for an answer, any other error when the cache failed.
    private func reserveThroughCache(eventID: Int64, userID: String, seatNumber: Int?, holdSeconds: Int?) async throws -> Booking {
        let clock = ContinuousClock()
        let lockDeadline = clock.now + configuration.lockWait
        var lockBackoff = Duration.milliseconds(1)
        var staleSeats = 0
        var loads = 0
        if staleEvents.contains(eventID) {
            try await cache.invalidate(eventID: eventID)
            staleEvents.remove(eventID)
        }
        while true {
            let token = Self.lockToken()
            switch try await cache.allocate(eventID: eventID, userID: userID, seatNumber: seatNumber, lockToken: token) {
            case .allocated(let seat):
                if let booking = try await commit(
                    eventID: eventID, userID: userID, seat: seat, token: token, asked: seatNumber, holdSeconds: holdSeconds
                ) {
                    return booking
                }
                // The store already had that seat taken: the cache kept it marked; try the next.
                staleSeats += 1
                if staleSeats > configuration.staleSeatRetries {
                    // Far behind the store: reload it next time, and let the store answer now.
                    staleEvents.insert(eventID)
                    throw CacheIsStale(eventID: eventID)
                }
            case .cold:
                // Loaded, and cold again: flushed meanwhile. Load again, a few times at most.
                loads += 1
                guard loads <= 3 else { throw CacheDoesNotStayLoaded(eventID: eventID) }
                try await cacheLoads.load(eventID: eventID) { [store, cache] in
                    let state: SeatState?
                    do {
                        state = try await store.seatState(eventID: eventID)
                    } catch {
                        throw outcome(of: error)
                    }
                    guard let state else { throw ReservationError.eventNotFound }
                    try await cache.load(eventID: eventID, state: state)
                }
            case .locked:
                observer.lockContended()
                try await wait(&lockBackoff, until: lockDeadline, clock: clock)
            case .alreadyBooked: throw ReservationError.alreadyBooked
            case .soldOut: throw ReservationError.soldOut
            case .seatTaken: throw ReservationError.seatTaken
            case .seatOutOfRange(let total): throw ReservationError.seatOutOfRange(totalSeats: total)
            }
        }
    }

    /// Inserts the allocated seat; nil when the store says the seat is held by another booking
    /// the cache did not know, so the caller allocates again.
    private func commit(
        eventID: Int64, userID: String, seat: Int, token: String, asked: Int?, holdSeconds: Int?
    ) async throws -> Booking? {
        let booking: Booking
        do {
            booking = try await store.insertBooking(eventID: eventID, userID: userID, seatNumber: seat, holdSeconds: holdSeconds)
        } catch {
            let outcome = self.outcome(of: error)
            // Nothing was booked: the lock goes, and the seat too unless the store holds it.
            await abandonQuietly(
                eventID: eventID, userID: userID, seat: seat, token: token,
                seatHeldElsewhere: outcome == .seatTaken, userHoldsAnother: outcome == .alreadyBooked
            )
            if outcome == .seatTaken, asked == nil { return nil }
            throw outcome
        }
        postCommit.bookingChangeCommitted()
        do {
            try await cache.confirm(
                eventID: eventID, userID: userID, seatNumber: seat, lockToken: token, holdEnds: booking.expiresAt
            )
        } catch {
            // Committed is committed: the answer is 201. The lock expires by itself, and a repeat
            // by this user is stopped by the store's unique constraint.
            logger.warning("booking committed but the seat cache was not confirmed", metadata: [
                "event": "\(eventID)", "booking": "\(booking.id)", "error": "\(error)",
            ])
        }
        return booking
    }

    private func abandonQuietly(
        eventID: Int64, userID: String, seat: Int, token: String, seatHeldElsewhere: Bool, userHoldsAnother: Bool
    ) async {
        do {
            try await cache.abandon(
                eventID: eventID, userID: userID, seatNumber: seat, lockToken: token,
                seatHeldElsewhere: seatHeldElsewhere, userHoldsAnother: userHoldsAnother
            )
        } catch {
            // The lock expires by itself; the seat left marked is found free again when the
            // event is loaded again, before its next reservation here (and after the cache's
            // expiry elsewhere).
            staleEvents.insert(eventID)
            logger.warning("could not give an allocated seat back to the cache", metadata: [
                "event": "\(eventID)", "seat": "\(seat)", "error": "\(error)",
            ])
        }
    }

    private func wait(_ backoff: inout Duration, until deadline: ContinuousClock.Instant, clock: ContinuousClock) async throws {
        guard clock.now + backoff < deadline else {
            // The lock outlived any reservation (its request crashed, or its confirm failed):
            // the store knows whether this user holds a seat.
            throw LockOutlivedItsRequest()
        }
        try await Task.sleep(for: backoff)
        backoff = min(backoff * 2, .milliseconds(50))
    }

    /// The cache lost an event's seats again right after each load: treated as a failed cache.
    struct CacheDoesNotStayLoaded: Error {
        let eventID: Int64
    }

    /// Another request of the same user held the lock for longer than any reservation takes.
    struct LockOutlivedItsRequest: Error {}

    /// The cache disagrees with the store more than retries can mend: the store answers.
    struct CacheIsStale: Error {
        let eventID: Int64
    }

    // MARK: - Cancel and read

    /// Cancels the booking of the user `caller` is (the `user_id` the request names, if any,
    /// checked by `caller`'s rule first).
    public func cancel(bookingID: Int64, userID claimed: String?, by caller: Caller) async throws(ReservationError) -> Booking {
        let userID = try caller.user(named: claimed)
        let booking: Booking
        do {
            booking = try await store.cancelBooking(id: bookingID, userID: userID)
        } catch {
            throw outcome(of: error)
        }
        postCommit.bookingChangeCommitted()
        observer.cancelled()
        do {
            try await cache.release(eventID: booking.eventID, userID: userID, seatNumber: booking.seatNumber)
        } catch {
            // The cache still shows the seat taken and the user booked: the event is loaded again
            // before its next reservation here (and after the cache's expiry elsewhere).
            staleEvents.insert(booking.eventID)
            logger.warning("cancelled booking's seat not released in the cache", metadata: [
                "booking": "\(booking.id)", "error": "\(error)",
            ])
        }
        return booking
    }

    /// Confirms the hold of the user `caller` is, while its end is ahead by the store's clock;
    /// a booking confirmed already is answered again. Under the rate limit, as a reserve.
    public func confirm(bookingID: Int64, userID claimed: String?, by caller: Caller) async throws(ReservationError) -> Booking {
        let userID = try caller.user(named: claimed)
        if let retryAfter = rateLimiter?.admit(userID) { throw .rateLimited(retryAfterSeconds: retryAfter) }
        let booking: Booking
        do {
            booking = try await store.confirmHold(id: bookingID, userID: userID)
        } catch {
            throw outcome(of: error)
        }
        postCommit.bookingChangeCommitted()
        do {
            try await cache.confirmHold(eventID: booking.eventID, userID: userID, seatNumber: booking.seatNumber)
        } catch {
            // The cache would free the seat at the hold's end: the event is loaded again first.
            staleEvents.insert(booking.eventID)
            logger.warning("confirmed hold not recorded in the cache", metadata: ["booking": "\(booking.id)", "error": "\(error)"])
        }
        return booking
    }

    /// Moves up to `batch` lapsed holds to history as expired and frees them in the cache: the
    /// expiry task's one step (housekeeping: no answer waits for it). The number moved.
    public func expireLapsedHolds(batch: Int) async throws(ReservationError) -> Int {
        let lapsed: [LapsedHold]
        do {
            lapsed = try await store.expireLapsedHolds(limit: batch)
        } catch {
            throw outcome(of: error)
        }
        guard !lapsed.isEmpty else { return 0 }
        postCommit.bookingChangeCommitted()
        observer.holdsExpired(lapsed.count)
        for hold in lapsed {
            do {
                try await cache.expire(eventID: hold.eventID, userID: hold.userID, seatNumber: hold.seatNumber)
            } catch {
                // An allocation frees it anyway at its end; a load reads it from the store.
                staleEvents.insert(hold.eventID)
            }
        }
        return lapsed.count
    }

    /// A booking by id. Another user's is not found for a caller who may not read it: its
    /// existence is not revealed.
    public func booking(id: Int64, by caller: Caller) async throws(ReservationError) -> Booking {
        do {
            guard let booking = try await store.booking(id: id), caller.mayRead(bookingsOf: booking.userID) else {
                throw ReservationError.bookingNotFound
            }
            return booking
        } catch {
            throw outcome(of: error)
        }
    }

    /// A user's bookings, for the user themselves or the admin (in the token mode; anyone in the
    /// trusting mode).
    public func bookings(
        userID: String, status: Booking.Status?, limit: Int, after position: PagePosition?, by caller: Caller
    ) async throws(ReservationError) -> Page<Booking> {
        guard caller.mayRead(bookingsOf: userID) else { throw .forbidden }
        do {
            return try await store.bookings(userID: userID, status: status, limit: limit, after: position)
        } catch {
            throw outcome(of: error)
        }
    }

    public func createEvent(name: String, totalSeats: Int) async throws(ReservationError) -> Event {
        do {
            return try await store.createEvent(name: name, totalSeats: totalSeats)
        } catch {
            throw outcome(of: error)
        }
    }

    public func event(id: Int64) async throws(ReservationError) -> Event {
        do {
            guard let event = try await store.event(id: id) else { throw ReservationError.eventNotFound }
            return event
        } catch {
            throw outcome(of: error)
        }
    }

    /// The event's seat map now, with its version.
    public func seatMap(eventID: Int64) async throws(ReservationError) -> SeatMap {
        do {
            guard let map = try await store.seatMap(eventID: eventID) else { throw ReservationError.eventNotFound }
            return map
        } catch {
            throw outcome(of: error)
        }
    }

    public func events(limit: Int, after position: PagePosition?) async throws(ReservationError) -> Page<Event> {
        do {
            return try await store.events(limit: limit, after: position)
        } catch {
            throw outcome(of: error)
        }
    }

    // MARK: - Helpers

    /// The store answers with ``ReservationError``s (unreachable included); anything else is a
    /// failure it should never have, logged here once.
    func outcome(of error: any Error) -> ReservationError {
        if let outcome = error as? ReservationError { return outcome }
        logger.error("booking store failed unexpectedly", metadata: ["error": "\(error)"])
        return .internalFailure
    }

    /// A token no other holder of the lock can have: this process's random prefix and a count.
    /// (Two random numbers per request cost two `getrandom` system calls on the hot path.)
    static func lockToken() -> String {
        LockTokens.prefix + String(LockTokens.issued.add(1, ordering: .relaxed).newValue, radix: 36)
    }
}

private enum LockTokens {
    /// 128 random bits, drawn once per process: processes never share tokens.
    static let prefix = String(UInt64.random(in: .min ... .max), radix: 36) + "."
        + String(UInt64.random(in: .min ... .max), radix: 36) + "."
    static let issued = Atomic<UInt64>(0)
}
