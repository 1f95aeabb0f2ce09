/// One user's recent requests, for a limit of `limit` requests per second, as a sliding-window
/// estimate: the count of the current one-second window plus the previous window's count
/// weighted by the share of it the last second still covers. Windows start at a user's first
/// request after a pause, so a burst is limited exactly (request `limit + 1` within a second of
/// the first is refused, one a full second later is not) and later seconds smoothly; all in
/// 24 bytes per user instead of a timestamp per request.
///
/// Pure arithmetic on a monotonic time in nanoseconds; ``UserRateLimiter`` keeps one per user.
struct RateWindow: Sendable, Equatable {
    static let length: Int64 = 1_000_000_000

    /// When the window that `current` counts began.
    private(set) var start: Int64
    private(set) var current: Int64 = 0
    private(set) var previous: Int64 = 0

    init(at now: Int64) {
        start = now
    }

    /// Whether the window no longer affects a decision at `now`: forgetting it changes nothing.
    func isIdle(at now: Int64) -> Bool {
        now - start >= 2 * Self.length
    }

    /// Counts the request at `now` and returns nil when it is within `limit`; otherwise counts
    /// nothing and returns how long until a request would be admitted. Refused requests are not
    /// counted, so a client that keeps retrying still gets `limit` requests per second through.
    mutating func admit(at now: Int64, limit: Int64) -> Duration? {
        advance(to: now)
        let elapsed = now - start
        // In integers, scaled by the window's length: previous·(1 − elapsed/length) + current < limit,
        // where the previous window's share is what the last second (now − 1 s, now] still covers.
        let weighted = previous * (Self.length - 1 - elapsed) + current * Self.length
        if weighted < limit * Self.length {
            current += 1
            return nil
        }
        return .nanoseconds(wait(elapsed: elapsed, limit: limit))
    }

    private mutating func advance(to now: Int64) {
        let elapsed = now - start
        if elapsed < Self.length { return }
        if elapsed < 2 * Self.length {
            previous = current
            start += Self.length
        } else {
            // A pause of a whole window or more: the next burst anchors a window of its own.
            previous = 0
            start = now
        }
        current = 0
    }

    /// Nanoseconds from now until the estimate drops below `limit` (rounded up, never short).
    private func wait(elapsed: Int64, limit: Int64) -> Int64 {
        if current < limit {
            // Within this window, as the previous window's share fades (previous > 0 here):
            // previous·(length − 1 − elapsed − wait) < (limit − current)·length.
            return Self.length - elapsed - (limit - current) * Self.length / previous
        }
        // Only in the next window, once this one's count, by then the previous, fades enough:
        // current·(length − 1 − into) < limit·length.
        let intoNextWindow = max(0, Self.length - limit * Self.length / current)
        return Self.length - elapsed + intoNextWindow
    }
}
