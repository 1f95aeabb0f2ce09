import ConnectionPool
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test func delaysGrowByTheMultiplierUpToTheCap() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0)
        let delays = (1...6).map { backoff.delay(afterFailures: $0) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }

    @Test func noFailureMeansNoWait() {
        let backoff = Backoff(initial: .seconds(1), maximum: .seconds(5))
        #expect(backoff.delay(afterFailures: 0) == .zero)
        #expect(backoff.delay(afterFailures: -3) == .zero)
    }

    @Test func jitterOnlyShortensAndByAtMostItsFraction() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0.3)
        var generator = SystemRandomNumberGenerator()
        let ceilings: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1)]
        for (index, ceiling) in ceilings.enumerated() {
            for _ in 0..<200 {
                let delay = backoff.delay(afterFailures: index + 1, using: &generator)
                #expect(delay >= ceiling * 0.7 && delay <= ceiling, "after \(index + 1) failures: \(delay)")
            }
        }
    }

    @Test func jitterSpreadsTheDelays() {
        let backoff = Backoff(initial: .seconds(1), maximum: .seconds(1), jitter: 0.5)
        let delays = Set((0..<100).map { _ in backoff.delay(afterFailures: 1) })
        #expect(delays.count > 50)
    }

    @Test func manyFailuresStayAtTheCapWithoutOverflow() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(30), jitter: 0)
        #expect(backoff.delay(afterFailures: 1000) == .seconds(30))
        #expect(backoff.delay(afterFailures: .max) == .seconds(30))
        let jittered = Backoff(initial: .milliseconds(100), maximum: .seconds(30), jitter: 0.5)
        let delay = jittered.delay(afterFailures: .max)
        #expect(delay >= .seconds(15) && delay <= .seconds(30))
    }

    @Test func aZeroInitialDelayNeverWaits() {
        let backoff = Backoff(initial: .zero, maximum: .seconds(30), jitter: 0)
        #expect(backoff.delay(afterFailures: 1) == .zero)
        #expect(backoff.delay(afterFailures: 10_000) == .zero)
    }

    @Test func nextDelayCountsFailuresUntilReset() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0)
        #expect(backoff.nextDelay() == .milliseconds(100))
        #expect(backoff.nextDelay() == .milliseconds(200))
        #expect(backoff.attempt == 2)
        backoff.reset()
        #expect(backoff.attempt == 0)
        #expect(backoff.nextDelay() == .milliseconds(100))
    }

    @Test func jitterIsClampedToAFraction() {
        #expect(Backoff(jitter: 3).jitter == 1)
        #expect(Backoff(jitter: -1).jitter == 0)
    }
}
