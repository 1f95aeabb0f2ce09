import Histogram

/// What a run measured, in the form printed by `--json` (keys in snake case) and rendered by
/// ``SummaryTable``. The top-level figures are flat and uniquely named so that a shell script can
/// pick them out without a JSON parser.
struct RunSummary: Codable, Sendable, Equatable {
    struct OperationSummary: Codable, Sendable, Equatable {
        var operation: String
        var answered: Int
        var perSecond: Double
        var latency: Latency
        var answers: [String: Int]
        var transportErrors: [String: Int]
    }

    /// Milliseconds, from each request's intended start (open loop) or its send (closed loop).
    struct Latency: Codable, Sendable, Equatable {
        var p50Ms: Double
        var p90Ms: Double
        var p99Ms: Double
        var p999Ms: Double
        var maxMs: Double

        init(p50Ms: Double, p90Ms: Double, p99Ms: Double, p999Ms: Double, maxMs: Double) {
            self.p50Ms = p50Ms
            self.p90Ms = p90Ms
            self.p99Ms = p99Ms
            self.p999Ms = p999Ms
            self.maxMs = maxMs
        }

        init(_ histogram: Histogram<UInt64>) {
            func ms(_ microseconds: UInt64) -> Double { histogram.totalCount == 0 ? 0 : Double(microseconds) / 1_000 }
            self.init(
                p50Ms: ms(histogram.valueAtPercentile(50)), p90Ms: ms(histogram.valueAtPercentile(90)),
                p99Ms: ms(histogram.valueAtPercentile(99)), p999Ms: ms(histogram.valueAtPercentile(99.9)),
                maxMs: ms(histogram.max)
            )
        }
    }

    struct Check: Codable, Sendable, Equatable {
        var name: String
        var passed: Bool
        var detail: String
    }

    var scenario: String
    var mode: String
    var events: [Int]
    var elapsedSeconds: Double
    var answered: Int
    var answeredPerSecond: Double
    /// The answers the scenario is about (successful reservations in a flash sale), and their
    /// rate from the first request to the last of them.
    var successLabel: String
    var successes: Int
    var successesPerSecond: Double
    /// CPU the generator itself used while the load ran, in seconds and in percent of one core.
    var generatorCpuSeconds: Double
    var generatorCpuPercent: Double
    /// The overall p99 and p99.9 again, as top-level keys for scripts that read them flat.
    var overallP99Ms: Double
    var overallP999Ms: Double
    var overall: Latency
    var transportErrorCount: Int
    var unexpectedAnswerCount: Int
    var operations: [OperationSummary]
    /// A checkout's own figures (nil for the other scenarios).
    var checkout: CheckoutFigures?
    /// Nil when verification was not asked for.
    var verification: [Check]?

    /// A checkout's two phases: holds granted per second (first request to the last hold), confirms
    /// per second (the second phase), and checkouts (hold, then confirm) per second over both.
    struct CheckoutFigures: Codable, Sendable, Equatable {
        var holdsGranted: Int
        var holdsPerSecond: Double
        var holdPhaseSeconds: Double
        var confirms: Int
        var cancels: Int
        var lapses: Int
        var confirmsPerSecond: Double
        var settlePhaseSeconds: Double
        var checkoutsPerSecond: Double
    }
    var verificationPassed: Bool?

    init(
        scenario: String, mode: String, events: [Int], statistics: LoadStatistics,
        successLabels: Set<String>, verification: [Check]?
    ) {
        let elapsed = statistics.elapsedSeconds
        func perSecond(_ count: Int) -> Double { elapsed > 0 ? Double(count) / elapsed : 0 }
        var all = OperationStatistics()
        var operations: [OperationSummary] = []
        for operation in Operation.allCases {
            guard let stats = statistics.operations[operation] else { continue }
            all.merge(stats)
            operations.append(OperationSummary(
                operation: operation.rawValue, answered: stats.answered, perSecond: perSecond(stats.answered),
                latency: Latency(stats.latency), answers: stats.outcomes,
                transportErrors: Dictionary(uniqueKeysWithValues: stats.transportErrors.map { ("\($0.key)", $0.value) })
            ))
        }
        self.scenario = scenario
        self.mode = mode
        self.events = events
        elapsedSeconds = elapsed
        answered = statistics.answered
        answeredPerSecond = perSecond(statistics.answered)
        successLabel = successLabels.sorted().joined(separator: " or ")
        successes = all.outcomes.filter { successLabels.contains($0.key) }.values.reduce(0, +)
        let successSeconds = statistics.elapsedSeconds(untilLast: successLabels)
        successesPerSecond = successSeconds > 0 ? Double(successes) / successSeconds : 0
        generatorCpuSeconds = statistics.generatorCPUSeconds
        generatorCpuPercent = elapsed > 0 ? 100 * statistics.generatorCPUSeconds / elapsed : 0
        overall = Latency(all.latency)
        overallP99Ms = overall.p99Ms
        overallP999Ms = overall.p999Ms
        transportErrorCount = statistics.transportErrors
        unexpectedAnswerCount = statistics.unexpected
        self.operations = operations
        self.verification = verification
        verificationPassed = verification.map { $0.allSatisfy(\.passed) }
    }
}
