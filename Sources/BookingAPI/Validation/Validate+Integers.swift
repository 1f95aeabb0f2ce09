import StrictJSON
/// The API's rules for identifiers and limits ("Identifiers and limits" in docs/api.md), one pure
/// function each. Each returns the checked value or throws a `ValidationError` naming the field.
public enum Validate {
    /// 2^53 − 1: the largest id a JavaScript client can hold exactly.
    public static let maxID: Int64 = 9_007_199_254_740_991
    public static let maxTotalSeats: Int64 = 1_000_000

    /// An id in a body: a JSON number written as digits only, 1 … 2^53 − 1.
    /// Strings, `7.0`, `7e0`, booleans and null are rejected even when their value would fit.
    public static func id(from json: JSONValue?, field: String) throws(ValidationError) -> Int64 {
        try integer(from: json, field: field, upTo: maxID)
    }

    /// A seat number in a body: like an id. The bound by the event's `total_seats` is the
    /// caller's check, once the event is found.
    public static func seatNumber(from json: JSONValue?, field: String = "seat_no") throws(ValidationError) -> Int64 {
        try integer(from: json, field: field, upTo: maxID)
    }

    /// A hold's `hold_seconds`: 1 … 3,600.
    public static let maxHoldSeconds: Int64 = 3600

    public static func holdSeconds(from json: JSONValue?, field: String = "hold_seconds") throws(ValidationError) -> Int {
        Int(try integer(from: json, field: field, upTo: maxHoldSeconds))
    }

    /// An event's seat count: 1 … 1,000,000.
    public static func totalSeats(from json: JSONValue?, field: String = "total_seats") throws(ValidationError) -> Int {
        Int(try integer(from: json, field: field, upTo: maxTotalSeats))
    }

    /// An id in a path: ASCII digits only, no sign, no leading zero, 1 … 2^53 − 1.
    public static func pathID(_ segment: Substring, field: String) throws(ValidationError) -> Int64 {
        guard segment.utf8.first != UInt8(ascii: "0"),
              let value = positiveDecimal(segment.utf8, atMost: maxID)
        else { throw rangeError(field: field, upTo: maxID) }
        return value
    }

    private static func integer(from json: JSONValue?, field: String, upTo maximum: Int64) throws(ValidationError) -> Int64 {
        guard let json else { throw .missing(field) }
        // A valid JSON number has no leading zero, so only the digits-only check matters here.
        guard case .number(let number) = json,
              let value = positiveDecimal(number.literal.utf8, atMost: maximum)
        else { throw rangeError(field: field, upTo: maximum) }
        return value
    }

    /// The value of a non-empty run of ASCII digits when it lies in 1 … `maximum`, else `nil`.
    /// Stops at the first digit past `maximum`, so long inputs cannot overflow.
    static func positiveDecimal(_ digits: some Collection<UInt8>, atMost maximum: Int64) -> Int64? {
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard JSONNumberGrammar.isDigit(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            guard value <= maximum else { return nil }
        }
        return value >= 1 ? value : nil
    }

    private static func rangeError(field: String, upTo maximum: Int64) -> ValidationError {
        ValidationError(field: field, message: "\(field) must be an integer from 1 to \(maximum)")
    }
}
