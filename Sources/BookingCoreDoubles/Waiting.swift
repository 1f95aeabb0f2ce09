/// Suspends until `condition` holds, checking every millisecond, for at most two seconds.
public func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(2)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut() }
        try await Task.sleep(for: .milliseconds(1))
    }
}

public struct WaitTimedOut: Error {}
