import Testing

@testable import BookingBench

@Suite struct OpenLoopScheduleTests {
    @Test func countIsRateTimesSecondsUnlessALimitIsLower() {
        #expect(OpenLoopSchedule(ratePerSecond: 1_000, seconds: 30).count == 30_000)
        #expect(OpenLoopSchedule(ratePerSecond: 1_000, seconds: 30, requestLimit: 500).count == 500)
    }

    @Test func offsetsAreEvenlySpacedWithoutDrift() {
        let schedule = OpenLoopSchedule(ratePerSecond: 3, seconds: 3_600)
        #expect(schedule.offset(of: 0) == 0)
        #expect(schedule.offset(of: 1) == 333_333_333)
        #expect(schedule.offset(of: 2) == 666_666_666)
        // Computed from the start, so a whole second lands exactly however many came before.
        #expect(schedule.offset(of: 3 * 3_000) == 3_000 * 1_000_000_000)
    }

    @Test func requestsAreDueExactlyAtTheirOffset() {
        let schedule = OpenLoopSchedule(ratePerSecond: 1_000, seconds: 10)
        #expect(schedule.due(atElapsed: -1) == 0)
        #expect(schedule.due(atElapsed: 0) == 1)
        #expect(schedule.due(atElapsed: 999_999) == 1)
        #expect(schedule.due(atElapsed: 1_000_000) == 2)
        #expect(schedule.due(atElapsed: 1_000_000_000) == 1_001)
    }

    @Test func dueAgreesWithOffsetForAwkwardRates() {
        let schedule = OpenLoopSchedule(ratePerSecond: 7, seconds: 5)
        for number in 0..<schedule.count {
            let offset = schedule.offset(of: number)
            #expect(schedule.due(atElapsed: offset) == number + 1)
            #expect(schedule.due(atElapsed: offset - 1) == number)
        }
    }

    @Test func neverMoreThanTheCountIsDue() {
        let schedule = OpenLoopSchedule(ratePerSecond: 1_000, seconds: 2)
        #expect(schedule.due(atElapsed: 3_600 * 1_000_000_000) == 2_000)
    }

    @Test func loopsShareTheScheduleByTakingEveryNthRequest() {
        #expect(OpenLoopSchedule.firstNumber(atOrAfter: 0, loop: 0, of: 1) == 0)
        #expect(OpenLoopSchedule.firstNumber(atOrAfter: 0, loop: 2, of: 3) == 2)
        #expect(OpenLoopSchedule.firstNumber(atOrAfter: 4, loop: 0, of: 3) == 6)
        #expect(OpenLoopSchedule.firstNumber(atOrAfter: 4, loop: 1, of: 3) == 4)
        #expect(OpenLoopSchedule.firstNumber(atOrAfter: 4, loop: 2, of: 3) == 5)
    }
}
