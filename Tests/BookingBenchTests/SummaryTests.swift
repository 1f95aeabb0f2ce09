import Testing

@testable import BookingBench

@Suite struct SummaryTests {
    /// Two loops' statistics of a small flash sale: 3 seats won, 2 SOLD_OUT, one timeout.
    static func statistics() -> LoadStatistics {
        var first = LoadStatistics()
        first.noteSent(at: 1_000_000_000)
        first.record(.reserve, Outcome(label: "201", expected: true), microseconds: 1_000, at: 1_200_000_000)
        first.record(.reserve, Outcome(label: "201", expected: true), microseconds: 2_000, at: 1_500_000_000)
        first.record(.reserve, Outcome(label: "409 SOLD_OUT", expected: true), microseconds: 500, at: 2_000_000_000)
        var second = LoadStatistics()
        second.noteSent(at: 1_100_000_000)
        second.record(.reserve, Outcome(label: "201", expected: true), microseconds: 4_000, at: 1_250_000_000)
        second.record(.reserve, Outcome(label: "409 SOLD_OUT", expected: true), microseconds: 700, at: 3_000_000_000)
        second.record(.reserve, .timedOut, at: 2_500_000_000)
        second.generatorCPUSeconds = 0.5
        first.merge(second)
        return first
    }

    @Test func mergedStatisticsAddUp() {
        let statistics = Self.statistics()
        #expect(statistics.answered == 5)
        #expect(statistics.count(.reserve, "201") == 3)
        #expect(statistics.transportErrors == 1)
        #expect(statistics.unexpected == 0)
        #expect(statistics.elapsedSeconds == 2)
        #expect(statistics.elapsedSeconds(untilLast: ["201"]) == 0.5)
        // A request went unanswered: what it did is unknown, so no exact expectation.
        #expect(statistics.impliedConfirmed() == nil)
    }

    @Test func impliedConfirmedCountsSeatsWonLessSeatsGivenBack() {
        var statistics = LoadStatistics()
        for _ in 0..<5 { statistics.record(.reserve, Outcome(label: "201", expected: true), microseconds: 1, at: 1) }
        for _ in 0..<2 { statistics.record(.cancel, Outcome(label: "200", expected: true), microseconds: 1, at: 1) }
        statistics.record(.list, Outcome(label: "200", expected: true), microseconds: 1, at: 1)
        #expect(statistics.impliedConfirmed(base: 10) == 13)
    }

    @Test func summaryRatesSuccessesUntilTheLastSuccess() {
        let summary = RunSummary(
            scenario: "flashsale", mode: "closed loop", events: [4], statistics: Self.statistics(),
            successLabels: ["201"], verification: nil
        )
        #expect(summary.successes == 3)
        #expect(summary.successesPerSecond == 6)
        #expect(summary.answeredPerSecond == 2.5)
        #expect(summary.generatorCpuPercent == 25)
        #expect(summary.operations.map(\.operation) == ["reserve"])
        #expect(summary.operations[0].transportErrors == ["no answer within the request timeout": 1])
        #expect(summary.overall.maxMs >= 3.99 && summary.overall.maxMs <= 4.01)
        #expect(summary.verificationPassed == nil)
    }

    @Test func tableShowsPercentilesAnswersAndVerification() {
        let summary = RunSummary(
            scenario: "flashsale", mode: "closed loop, 2 connections", events: [4], statistics: Self.statistics(),
            successLabels: ["201"],
            verification: [
                .init(name: "event 4: outbox drained", passed: true, detail: "0 unsent rows"),
                .init(name: "event 4: no seat has two holders", passed: false, detail: "3 bookings, 2 seats"),
            ]
        )
        let table = SummaryTable.render(summary)
        #expect(table.contains("| operation | answered | per second | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | answers |"))
        #expect(table.contains("| reserve | 5 | 2 | "))
        #expect(table.contains("201: 3, 409 SOLD_OUT: 2, no answer (no answer within the request timeout): 1 |"))
        #expect(table.contains("201: 3 (6/s until the last of them); transport errors: 1; unexpected answers: 0"))
        #expect(table.contains("Verification: FAILED"))
        #expect(table.contains("- FAILED: event 4: no seat has two holders — 3 bookings, 2 seats"))
        #expect(table.contains("- ok: event 4: outbox drained — 0 unsent rows"))
    }

    @Test func decimalsAreFixedWhateverTheLocale() {
        #expect(SummaryTable.decimal(2.345, 2) == "2.35" || SummaryTable.decimal(2.345, 2) == "2.34")
        #expect(SummaryTable.decimal(1_234.5, 0) == "1234" || SummaryTable.decimal(1_234.5, 0) == "1235")
        #expect(SummaryTable.decimal(0, 2) == "0.00")
    }
}
