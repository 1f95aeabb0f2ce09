#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// `RATE_LIMIT_PER_USER`: at most `limit` reservation attempts per user per second, per server
/// instance (N instances allow N times the rate; the state is in-process, so a check costs no
/// round trip).
///
/// Users are spread over independently locked shards by the hash of their id, so concurrent
/// requests of different users rarely meet on a lock and no request takes a global one. A
/// shard forgets users idle for two windows as it goes (forgetting them changes no decision),
/// so memory follows the users of the last few seconds, not every user ever seen.
public final class UserRateLimiter: Sendable {
    /// A monotonic time in nanoseconds; tests pass a clock they move by hand.
    public typealias Clock = @Sendable () -> Int64

    public let limit: Int
    private let clock: Clock
    private let shards: [Shard]

    /// - Parameter limit: requests per second per user, at least 1 (0 means no limiter at all).
    public init(limit: Int, shardCount: Int = 64, clock: @escaping Clock = UserRateLimiter.monotonicNanoseconds) {
        precondition(limit > 0, "a limit of 0 means no limiter")
        precondition(shardCount > 0 && shardCount & (shardCount - 1) == 0, "shards are picked by a bit mask")
        self.limit = limit
        self.clock = clock
        self.shards = (0..<shardCount).map { _ in Shard() }
    }

    /// Counts one attempt of `userID`; nil when it may go ahead, else the whole seconds to put in
    /// `Retry-After` (at least 1).
    public func admit(_ userID: String) -> Int? {
        let now = clock()
        var hasher = Hasher()
        hasher.combine(userID)
        let shard = shards[hasher.finalize() & (shards.count - 1)]
        let wait = shard.admit(userID, at: now, limit: Int64(limit))
        guard let wait else { return nil }
        return max(1, Int((wait.wholeNanoseconds + 999_999_999) / 1_000_000_000))
    }

    /// Users tracked now, all shards together (for tests of the expiry).
    public var trackedUsers: Int {
        shards.reduce(0) { $0 + $1.count }
    }

    @Sendable public static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Some users' windows under one lock.
    private final class Shard: Sendable {
        private struct State {
            var users: [String: RateWindow] = [:]
            /// The window in which idle users were last dropped.
            var sweptWindow: Int64 = .min
        }

        private let state = Mutex(State())

        var count: Int { state.withLock { $0.users.count } }

        func admit(_ userID: String, at now: Int64, limit: Int64) -> Duration? {
            state.withLock { state in
                // Every other second at most: each sweep is paid for by the requests that
                // created the users it drops.
                let window = now / RateWindow.length
                if window > state.sweptWindow &+ 1 {
                    state.users = state.users.filter { !$0.value.isIdle(at: now) }
                    state.sweptWindow = window
                }
                return state.users[userID, default: RateWindow(at: now)].admit(at: now, limit: limit)
            }
        }
    }
}
