import Histogram

/// What one operation's answers looked like: latencies in microseconds and answers by label.
struct OperationStatistics: Sendable {
    /// One minute is far beyond any request timeout; larger values are clamped to it.
    static let highestMicroseconds: UInt64 = 60_000_000

    var latency = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: highestMicroseconds, numberOfSignificantValueDigits: .three
    )
    var outcomes: [String: Int] = [:]
    /// Monotonic nanoseconds of the last answer of each label: a flash sale's seats are sold by
    /// the last 201, however long the SOLD_OUT answers go on after it.
    var lastAnswered: [String: UInt64] = [:]
    var unexpected = 0
    var transportErrors: [TransportError: Int] = [:]

    var answered: Int { Int(latency.totalCount) }
    var failed: Int { transportErrors.values.reduce(0, +) }

    mutating func record(_ outcome: Outcome, microseconds: UInt64, at now: UInt64) {
        _ = latency.record(Swift.max(1, Swift.min(microseconds, Self.highestMicroseconds)))
        outcomes[outcome.label, default: 0] += 1
        lastAnswered[outcome.label] = now
        if !outcome.expected { unexpected += 1 }
    }

    mutating func merge(_ other: OperationStatistics) {
        latency.add(other.latency)
        outcomes.merge(other.outcomes, uniquingKeysWith: +)
        lastAnswered.merge(other.lastAnswered, uniquingKeysWith: Swift.max)
        transportErrors.merge(other.transportErrors, uniquingKeysWith: +)
        unexpected += other.unexpected
    }
}

/// A run's statistics, kept per event loop and merged at the end.
struct LoadStatistics: Sendable {
    var operations: [Operation: OperationStatistics] = [:]
    /// Failed connection attempts, which belong to no request.
    var connectFailures = 0
    /// Monotonic nanoseconds of the first request sent and the last answer received.
    var firstSent: UInt64?
    var lastAnswered: UInt64?
    /// CPU seconds (user and system) the generator's process spent while the load ran.
    var generatorCPUSeconds = 0.0

    mutating func record(_ operation: Operation, _ outcome: Outcome, microseconds: UInt64, at now: UInt64) {
        operations[operation, default: OperationStatistics()].record(outcome, microseconds: microseconds, at: now)
        lastAnswered = Swift.max(lastAnswered ?? now, now)
    }

    mutating func record(_ operation: Operation, _ error: TransportError, at now: UInt64) {
        operations[operation, default: OperationStatistics()].transportErrors[error, default: 0] += 1
        lastAnswered = Swift.max(lastAnswered ?? now, now)
    }

    mutating func noteSent(at now: UInt64) {
        if firstSent == nil { firstSent = now }
    }

    mutating func merge(_ other: LoadStatistics) {
        operations.merge(other.operations) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
        connectFailures += other.connectFailures
        firstSent = [firstSent, other.firstSent].compactMap { $0 }.min()
        lastAnswered = [lastAnswered, other.lastAnswered].compactMap { $0 }.max()
        generatorCPUSeconds += other.generatorCPUSeconds
    }

    /// Seconds from the first request sent to the last answer.
    var elapsedSeconds: Double { seconds(until: lastAnswered) }

    /// Seconds from the first request sent to the last answer labelled with one of `labels`.
    func elapsedSeconds(untilLast labels: Set<String>) -> Double {
        seconds(until: operations.values.flatMap { $0.lastAnswered.filter { labels.contains($0.key) }.values }.max())
    }

    private func seconds(until end: UInt64?) -> Double {
        guard let firstSent, let end, end > firstSent else { return 0 }
        return Double(end - firstSent) / 1e9
    }

    var transportErrors: Int { operations.values.reduce(connectFailures) { $0 + $1.failed } }
    var unexpected: Int { operations.values.reduce(0) { $0 + $1.unexpected } }
    var answered: Int { operations.values.reduce(0) { $0 + $1.answered } }
}

extension LoadStatistics {
    /// Answers to `operation` labelled `label` (`count(.reserve, "201")`).
    func count(_ operation: Operation, _ label: String) -> Int {
        operations[operation]?.outcomes[label] ?? 0
    }

    /// The confirmed bookings a run's answers imply, `base` plus seats won less seats given back;
    /// nil when some request went unanswered, since its effect is unknown.
    func impliedConfirmed(base: Int = 0) -> Int? {
        guard operations.values.allSatisfy({ $0.failed == 0 }) else { return nil }
        return base + count(.reserve, "201") - count(.cancel, "200")
    }

    /// What the answers imply when some went unanswered or failed (a node killed mid-request):
    /// at least every seat won less seats given back, and at most one more per reserve whose
    /// outcome is unknown (it may have committed before its answer was lost).
    func impliedConfirmedBounds(base: Int = 0) -> ClosedRange<Int> {
        let known = base + count(.reserve, "201") - count(.cancel, "200")
        let unknown = operations[.reserve].map { $0.failed + $0.unexpected } ?? 0
        return known...(known + unknown)
    }
}
