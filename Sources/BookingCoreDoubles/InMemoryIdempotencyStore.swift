import BookingCore
import Synchronization

/// ``IdempotencyStore`` in memory, with the PostgreSQL adapter's semantics: one claim per
/// (user, key), compared by the bytes of the user id; a claim older than 24 hours, or left
/// without an outcome for 30 seconds, is taken over; a recorded outcome is never released.
public final class InMemoryIdempotencyStore: IdempotencyStore {
    private struct Scope: Hashable {
        var userID: [UInt8]
        var key: String
    }

    private struct Entry {
        var fingerprint: String
        var outcome: ReservationOutcome?
        var claimedAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Scope: Entry] = [:]
        var isDown = false
        /// Added to the clock, so a test can let claims grow old.
        var age: Duration = .zero
    }

    private let state = Mutex(State())
    public static let lifetime = Duration.seconds(24 * 3600)
    /// How long a claim without an outcome holds its key.
    public static let lease = Duration.seconds(30)

    public init() {}

    /// Every call throws ``ReservationError/storeUnavailable`` while true.
    public var isDown: Bool {
        get { state.withLock { $0.isDown } }
        set { state.withLock { $0.isDown = newValue } }
    }

    /// Makes every claim look `duration` older.
    public func age(by duration: Duration) {
        state.withLock { $0.age += duration }
    }

    /// Keys held now, recorded or in flight.
    public var count: Int { state.withLock { $0.entries.count } }

    public func claim(userID: String, key: String, fingerprint: String) async throws -> IdempotencyClaim {
        try state.withLock { state throws(ReservationError) in
            guard !state.isDown else { throw .storeUnavailable }
            let scope = Scope(userID: Array(userID.utf8), key: key)
            let now = ContinuousClock.now + state.age
            if let entry = state.entries[scope], now - entry.claimedAt < (entry.outcome == nil ? Self.lease : Self.lifetime) {
                guard entry.fingerprint.utf8.elementsEqual(fingerprint.utf8) else { return .reused }
                return entry.outcome.map(IdempotencyClaim.finished) ?? .inFlight
            }
            state.entries[scope] = Entry(fingerprint: fingerprint, outcome: nil, claimedAt: now)
            return .claimed
        }
    }

    public func record(_ outcome: ReservationOutcome, userID: String, key: String) async throws {
        try state.withLock { state throws(ReservationError) in
            guard !state.isDown else { throw .storeUnavailable }
            state.entries[Scope(userID: Array(userID.utf8), key: key)]?.outcome = outcome
        }
    }

    public func release(userID: String, key: String) async throws {
        try state.withLock { state throws(ReservationError) in
            guard !state.isDown else { throw .storeUnavailable }
            let scope = Scope(userID: Array(userID.utf8), key: key)
            if state.entries[scope]?.outcome == nil { state.entries[scope] = nil }
        }
    }
}
