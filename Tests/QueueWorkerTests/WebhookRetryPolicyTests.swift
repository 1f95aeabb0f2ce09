import Testing

@testable import QueueWorker

@Suite("Webhook retry policy")
struct WebhookRetryPolicyTests {
    let policy = WebhookRetryPolicy(maxAttempts: 10, initialDelay: .milliseconds(100), maximumDelay: .seconds(1))

    @Test func theFirstAttemptDoesNotWait() {
        #expect(policy.delay(beforeAttempt: 1) == .zero)
    }

    @Test func eachWaitIsBetweenHalfAndAllOfADoublingCappedDelay() {
        var generator = SystemRandomNumberGenerator()
        // 100 ms, 200, 400, 800, then the 1 s cap.
        let ceilings: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)]
        for (index, ceiling) in ceilings.enumerated() {
            for _ in 0..<200 {
                let delay = policy.delay(beforeAttempt: index + 2, using: &generator)
                #expect(delay >= ceiling / 2 && delay <= ceiling, "attempt \(index + 2): \(delay)")
            }
        }
    }

    @Test func theJitterSpreadsTheWaits() {
        var generator = SystemRandomNumberGenerator()
        let delays = Set((0..<50).map { _ in policy.delay(beforeAttempt: 3, using: &generator) })
        #expect(delays.count > 1)
    }

    @Test func manyAttemptsStayAtTheCap() {
        #expect(policy.delay(beforeAttempt: 10_000) <= .seconds(1))
    }
}
