#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// timestamptz in both directions: binary results (microseconds since 2000-01-01 UTC) and text
/// parameters (ISO 8601 in UTC), with microsecond precision.
enum PostgresTimestamp {
    /// Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
    static let epochOffset: Int64 = 946_684_800

    static func date(microsecondsSince2000 value: Int64) -> Date? {
        // PostgreSQL's 'infinity' and '-infinity' have no Date.
        guard value != .max, value != .min else { return nil }
        let seconds = value.floorDivided(by: 1_000_000)
        let micros = value - seconds * 1_000_000
        return Date(timeIntervalSince1970: Double(seconds + epochOffset) + Double(micros) / 1_000_000)
    }

    static func text(for date: Date) -> String {
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = totalMicros.floorDivided(by: 1_000_000)
        let micros = totalMicros - seconds * 1_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let fraction = String(micros)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - fraction.count) + fraction + "+00"
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
