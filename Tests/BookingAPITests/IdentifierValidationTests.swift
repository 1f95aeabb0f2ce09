import StrictJSON
import Testing
@testable import BookingAPI

@Suite struct IdentifierValidationTests {
    private func number(_ literal: String) -> JSONValue {
        .number(JSONNumber(literal: literal)!)
    }

    @Test func oneAndTheLargestSafeIntegerAreIDs() throws {
        #expect(try Validate.id(from: number("1"), field: "event_id") == 1)
        #expect(try Validate.id(from: number("9007199254740991"), field: "event_id") == 9_007_199_254_740_991)
    }

    @Test(arguments: ["0", "-1", "-0", "9007199254740992", "9223372036854775807", "9223372036854775808", "18446744073709551616", "123456789012345678901234567890"])
    func outOfRangeNumbersAreNotIDs(literal: String) {
        let error = validationFailure { () throws(ValidationError) in try Validate.id(from: number(literal), field: "event_id") }
        #expect(error == ValidationError(field: "event_id", message: "event_id must be an integer from 1 to 9007199254740991"))
    }

    @Test func sevenPointZeroIsNotAnID() {
        #expect(validationFailure { () throws(ValidationError) in try Validate.id(from: number("7.0"), field: "event_id") } != nil)
    }

    @Test func sevenEZeroIsNotAnID() {
        #expect(validationFailure { () throws(ValidationError) in try Validate.id(from: number("7e0"), field: "event_id") } != nil)
        #expect(validationFailure { () throws(ValidationError) in try Validate.id(from: number("7E0"), field: "event_id") } != nil)
    }

    @Test(arguments: [JSONValue.string("7"), .bool(true), .null, .array([7]), .object(["id": 7])])
    func nonNumbersAreNotIDs(value: JSONValue) {
        let error = validationFailure { () throws(ValidationError) in try Validate.id(from: value, field: "booking_id") }
        #expect(error?.field == "booking_id")
        #expect(error?.message == "booking_id must be an integer from 1 to 9007199254740991")
    }

    @Test func aMissingIDIsRequired() {
        let error = validationFailure { () throws(ValidationError) in try Validate.id(from: nil, field: "event_id") }
        #expect(error == ValidationError(field: "event_id", message: "event_id is required"))
    }

    @Test func seatNumbersFollowTheIDRange() throws {
        #expect(try Validate.seatNumber(from: number("1")) == 1)
        #expect(try Validate.seatNumber(from: number("9007199254740991")) == 9_007_199_254_740_991)
        for bad in ["0", "9007199254740992", "17.0", "17e0", "-17"] {
            #expect(validationFailure { () throws(ValidationError) in try Validate.seatNumber(from: number(bad)) }?.field == "seat_no")
        }
        #expect(validationFailure { () throws(ValidationError) in try Validate.seatNumber(from: "17") }?.field == "seat_no")
    }

    @Test func totalSeatsRangeFromOneToOneMillion() throws {
        #expect(try Validate.totalSeats(from: number("1")) == 1)
        #expect(try Validate.totalSeats(from: number("1000000")) == 1_000_000)
        let error = validationFailure { () throws(ValidationError) in try Validate.totalSeats(from: number("1000001")) }
        #expect(error == ValidationError(field: "total_seats", message: "total_seats must be an integer from 1 to 1000000"))
        #expect(validationFailure { () throws(ValidationError) in try Validate.totalSeats(from: number("0")) } != nil)
        #expect(validationFailure { () throws(ValidationError) in try Validate.totalSeats(from: number("100.0")) } != nil)
        #expect(validationFailure { () throws(ValidationError) in try Validate.totalSeats(from: nil) }?.message == "total_seats is required")
    }

    @Test(arguments: [("1", Int64(1)), ("17", 17), ("9007199254740991", 9_007_199_254_740_991)])
    func validPathIDsParse(segment: String, expected: Int64) throws {
        #expect(try Validate.pathID(segment[...], field: "booking_id") == expected)
    }

    @Test(arguments: ["abc", "-1", "+1", "1.5", "01", "00", "0", "", "９", "1 ", " 1", "1e3", "9007199254740992", "9223372036854775808", "99999999999999999999999"])
    func invalidPathIDsAreRejected(segment: String) {
        let error = validationFailure { () throws(ValidationError) in try Validate.pathID(segment[...], field: "event_id") }
        #expect(error == ValidationError(field: "event_id", message: "event_id must be an integer from 1 to 9007199254740991"))
    }

    @Test func pathIDsWorkOnSubstringsOfAPath() throws {
        let path = "/api/bookings/42"
        let segment = path.split(separator: "/").last!
        #expect(try Validate.pathID(segment, field: "booking_id") == 42)
    }
}
