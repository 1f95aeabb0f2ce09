@testable import BookingCore
import BookingCoreDoubles
import Testing

/// The limiter's arithmetic against a clock the tests move: no real time passes.
@Suite("Per-user rate limiter")
struct RateLimiterTests {
    let clock = ManualClock()

    func admitted(_ limiter: UserRateLimiter, _ user: String, times: Int) -> Int {
        (0..<times).reduce(0) { count, _ in limiter.admit(user) == nil ? count + 1 : count }
    }

    @Test func theRequestAfterTheLimitWithinASecondIsRefusedWithRetryAfterOne() {
        let limiter = UserRateLimiter(limit: 20, clock: clock.read)
        for attempt in 1...20 {
            #expect(limiter.admit("alice") == nil, "attempt \(attempt)")
        }
        #expect(limiter.admit("alice") == 1)
        clock.advance(by: .milliseconds(999))
        #expect(limiter.admit("alice") == 1, "still within the first second")
    }

    @Test func usersHaveBudgetsOfTheirOwn() {
        let limiter = UserRateLimiter(limit: 3, clock: clock.read)
        #expect(admitted(limiter, "alice", times: 5) == 3)
        #expect(admitted(limiter, "bob", times: 5) == 3)
        #expect(admitted(limiter, "Alice", times: 1) == 1, "ids are compared exactly")
    }

    @Test func theLastWindowsCountFadesAsTheSecondSlides() {
        let limiter = UserRateLimiter(limit: 20, clock: clock.read)
        #expect(admitted(limiter, "alice", times: 20) == 20)
        // Half-way into the next window a hair under half of the last one still counts (the last
        // second covers it up to the nanosecond before now): 11 more fit, not 20.
        clock.advance(by: .milliseconds(1500))
        #expect(admitted(limiter, "alice", times: 20) == 11)
    }

    @Test func refusedAttemptsDoNotCount() {
        let limiter = UserRateLimiter(limit: 5, clock: clock.read)
        #expect(admitted(limiter, "alice", times: 50) == 5)
        // Two windows later nothing of the first is left, however often it was refused.
        clock.advance(by: .seconds(2))
        #expect(admitted(limiter, "alice", times: 50) == 5)
    }

    @Test func retryAfterIsTheWaitRoundedUpToWholeSeconds() {
        let limiter = UserRateLimiter(limit: 1, clock: clock.read)
        #expect(limiter.admit("alice") == nil)
        #expect(limiter.admit("alice") == 1)
        clock.advance(by: .milliseconds(999))
        #expect(limiter.admit("alice") == 1, "a millisecond to go still rounds up to a second")
        clock.advance(by: .milliseconds(1))
        #expect(limiter.admit("alice") == nil, "a full second after the first")
    }

    @Test func idleUsersAreForgotten() {
        let limiter = UserRateLimiter(limit: 2, shardCount: 1, clock: clock.read)
        for user in 0..<1000 { _ = limiter.admit("user-\(user)") }
        #expect(limiter.trackedUsers == 1000)
        clock.advance(by: .seconds(3))
        for user in 0..<1000 { _ = limiter.admit("other-\(user)") }
        #expect(limiter.trackedUsers == 1000, "the first thousand went, the second stays")
    }

    @Test func windowArithmeticAtTheEdges() {
        let second: Int64 = 1_000_000_000
        var window = RateWindow(at: 7 * second)
        #expect(window.admit(at: 7 * second, limit: 2) == nil)
        #expect(window.admit(at: 7 * second + second / 2, limit: 2) == nil)
        // Full: the wait runs to the next window, whose start no longer counts the first request.
        #expect(window.admit(at: 7 * second + second / 2, limit: 2) == .nanoseconds(second / 2))
        #expect(!window.isIdle(at: 9 * second - 1))
        #expect(window.isIdle(at: 9 * second))
        // A quarter into the next window the previous 2 weigh 2·(3/4) = 1.5 < 2: one fits.
        #expect(window.admit(at: 8 * second + second / 4, limit: 2) == nil)
        // 1.5 + 1 = 2.5: full until the old share is under 1, from half-way into the window.
        #expect(window.admit(at: 8 * second + second / 4, limit: 2) == .nanoseconds(second / 4))
        #expect(window.admit(at: 8 * second + second / 2 - 1, limit: 2) != nil)
        #expect(window.admit(at: 8 * second + second / 2, limit: 2) == nil)
    }

    @Test func aPauseOfAWindowAnchorsTheNextBurst() {
        let second: Int64 = 1_000_000_000
        var window = RateWindow(at: 0)
        for _ in 0..<3 { #expect(window.admit(at: 0, limit: 3) == nil) }
        // 2.7 s later the old count is gone and a new window starts at this request.
        for _ in 0..<3 { #expect(window.admit(at: 2 * second + 700_000_000, limit: 3) == nil) }
        #expect(window.admit(at: 3 * second + 699_999_999, limit: 3) != nil, "within a second of the burst")
        #expect(window.admit(at: 3 * second + 700_000_000, limit: 3) == nil, "a second after it")
    }
}
