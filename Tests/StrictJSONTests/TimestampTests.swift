import Testing
@testable import StrictJSON

@Suite struct TimestampTests {
    @Test func epochIsFormatted() {
        #expect(Timestamp.rfc3339Milliseconds(0) == "1970-01-01T00:00:00.000Z")
    }

    @Test func apiExampleIsFormatted() {
        #expect(Timestamp.rfc3339Milliseconds(1_795_428_000_123_000) == "2026-11-23T10:00:00.123Z")
    }

    @Test func subMillisecondPartsAreTruncatedNotRounded() {
        #expect(Timestamp.rfc3339Milliseconds(123_900) == "1970-01-01T00:00:00.123Z")
        #expect(Timestamp.rfc3339Milliseconds(999_999) == "1970-01-01T00:00:00.999Z")
        #expect(Timestamp.rfc3339Milliseconds(1_795_428_000_123_999) == "2026-11-23T10:00:00.123Z")
    }

    @Test func timesBefore1970RoundTowardThePast() {
        #expect(Timestamp.rfc3339Milliseconds(-1000) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339Milliseconds(-1) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339Milliseconds(-1001) == "1969-12-31T23:59:59.998Z")
        #expect(Timestamp.rfc3339Milliseconds(-86_400_000_000) == "1969-12-31T00:00:00.000Z")
        #expect(Timestamp.rfc3339Milliseconds(-2_208_988_800_000_000) == "1900-01-01T00:00:00.000Z")
    }

    @Test func leapDaysAreHandled() {
        // 2024-02-29T12:34:56.789Z
        #expect(Timestamp.rfc3339Milliseconds(1_709_210_096_789_000) == "2024-02-29T12:34:56.789Z")
        #expect(Timestamp.rfc3339Milliseconds(1_709_251_199_999_999) == "2024-02-29T23:59:59.999Z")
        #expect(Timestamp.rfc3339Milliseconds(1_709_251_200_000_000) == "2024-03-01T00:00:00.000Z")
        // 2000 is a leap year (divisible by 400); 1900 and 2100 are not.
        #expect(Timestamp.rfc3339Milliseconds(951_782_400_000_000) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.rfc3339Milliseconds(4_107_542_400_000_000) == "2100-03-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339Milliseconds(-2_203_891_200_000_000) == "1900-03-01T00:00:00.000Z")
    }

    @Test func endOfYearBoundary() {
        #expect(Timestamp.rfc3339Milliseconds(1_798_761_599_999_000) == "2026-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339Milliseconds(1_798_761_600_000_000) == "2027-01-01T00:00:00.000Z")
    }

    @Test func yearsOutsideFourDigitsDoNotTrap() {
        #expect(Timestamp.rfc3339Milliseconds(253_402_300_799_999_000) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339Milliseconds(253_402_300_800_000_000) == "10000-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339Milliseconds(-62_167_219_200_000_000) == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339Milliseconds(-62_167_219_200_000_001) == "-0001-12-31T23:59:59.999Z")
        _ = Timestamp.rfc3339Milliseconds(Int64.min)
        _ = Timestamp.rfc3339Milliseconds(Int64.max)
    }

    @Test func everyDayFor800YearsMatchesAnIndependentCalendar() {
        // Walks day by day from 1600-01-01 with a naive calendar and compares.
        var year: Int64 = 1600, month: Int64 = 1, day: Int64 = 1
        var days: Int64 = -135_140 // days from 1970-01-01 back to 1600-01-01
        func isLeap(_ y: Int64) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }
        let lengths: [Int64] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        while year < 2400 {
            #expect(CivilDate(daysSinceEpoch: days) == CivilDate(year: year, month: month, day: day))
            if CivilDate(daysSinceEpoch: days) != CivilDate(year: year, month: month, day: day) { return }
            days += 1
            day += 1
            let length = month == 2 && isLeap(year) ? 29 : lengths[Int(month - 1)]
            if day > length { day = 1; month += 1 }
            if month > 12 { month = 1; year += 1 }
        }
    }
}
