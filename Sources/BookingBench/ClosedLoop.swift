import Synchronization

/// Closed-loop load: `callers` tasks each issue the next request as soon as the last one answered.
enum ClosedLoop {
    /// Completed operations per second, after a short warm-up that is not counted.
    static func run(
        callers: Int, duration: Duration, warmUp: Duration = .milliseconds(500),
        _ operation: @escaping @Sendable () async throws -> Void
    ) async throws -> Double {
        let clock = ContinuousClock()
        let warmEnd = clock.now + warmUp
        let end = warmEnd + duration
        let completed = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    var count = 0
                    while true {
                        try await operation()
                        let now = clock.now
                        if now >= end { return count }
                        if now >= warmEnd { count += 1 }
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(completed) / (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
