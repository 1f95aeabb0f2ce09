// Ours rather than Foundation's ISO8601DateFormatter: that one goes through Date (a Double of
// seconds, which rounds microseconds near today's dates) and allocates a formatter's strings; the
// API wants PostgreSQL's microseconds truncated to exactly three digits, written into the
// response's bytes.

/// RFC 3339 timestamps as the API writes them: UTC, always `Z`, exactly 3 fractional digits.
public enum Timestamp {
    /// Formats `microsecondsSinceEpoch` (PostgreSQL's `timestamptz` precision) as
    /// `2026-11-23T10:00:00.123Z`.
    ///
    /// Sub-millisecond parts are truncated toward the past (`-1` µs is `…59.999Z`), never rounded,
    /// so a formatted time is never later than the stored one. Years outside 0000…9999 (which no
    /// booking has) come out in ISO 8601 expanded form (`-0001`, `10000`) instead of trapping.
    public static func rfc3339Milliseconds(_ microsecondsSinceEpoch: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendRFC3339Milliseconds(microsecondsSinceEpoch, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the `rfc3339Milliseconds` form to `bytes`, for writers that build a response
    /// without intermediate strings.
    public static func appendRFC3339Milliseconds(_ microsecondsSinceEpoch: Int64, to bytes: inout [UInt8]) {
        let microsecondsPerDay: Int64 = 86_400_000_000
        // Floor division, so times before 1970 land on the previous day.
        var days = microsecondsSinceEpoch / microsecondsPerDay
        var microsecondOfDay = microsecondsSinceEpoch % microsecondsPerDay
        if microsecondOfDay < 0 {
            microsecondOfDay += microsecondsPerDay
            days -= 1
        }
        let date = CivilDate(daysSinceEpoch: days)

        if date.year < 0 { bytes.append(UInt8(ascii: "-")) }
        JSONEncoding.appendDigits(of: date.year.magnitude, minimumWidth: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(date.month, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(date.day, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendTwoDigits(microsecondOfDay / 3_600_000_000, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(microsecondOfDay / 60_000_000 % 60, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(microsecondOfDay / 1_000_000 % 60, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        let milliseconds = microsecondOfDay / 1000 % 1000
        bytes.append(UInt8(ascii: "0") + UInt8(milliseconds / 100))
        appendTwoDigits(milliseconds % 100, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    @inline(__always)
    private static func appendTwoDigits(_ value: Int64, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10))
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}

/// A proleptic Gregorian date, from Howard Hinnant's `civil_from_days` algorithm.
struct CivilDate: Equatable {
    var year: Int64
    var month: Int64
    var day: Int64

    init(year: Int64, month: Int64, day: Int64) {
        self.year = year
        self.month = month
        self.day = day
    }

    init(daysSinceEpoch: Int64) {
        let shifted = daysSinceEpoch + 719_468 // days from 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}
