import Testing
@testable import BookingAPI

@Suite struct RequestParsingTests {
    private func reserve(_ body: String) throws(ValidationError) -> ReserveRequest {
        try ReserveRequest(body: Array(body.utf8))
    }

    private func reserveFailure(_ body: String) -> ValidationError? {
        validationFailure { () throws(ValidationError) in try reserve(body) }
    }

    @Test func reserveBodyParsesInAnyFieldOrder() throws {
        let expected = ReserveRequest(eventID: 1, userID: "user123", seatNumber: 17)
        #expect(try reserve(#"{"event_id": 1, "user_id": "user123", "seat_no": 17}"#) == expected)
        #expect(try reserve(#"{"seat_no":17,"user_id":"user123","event_id":1}"#) == expected)
        #expect(try reserve(#"{"user_id":"user123","seat_no":17,"unknown":{"x":[1]},"event_id":1}"#) == expected)
    }

    @Test func seatNumberIsOptional() throws {
        #expect(try reserve(#"{"event_id": 1, "user_id": "u"}"#) == ReserveRequest(eventID: 1, userID: "u"))
    }

    /// Whether a request must name its user is the identity mode's rule (BookingCore's `Caller`).
    @Test func userIDMayBeLeftOut() throws {
        #expect(try reserve(#"{"event_id": 1}"#) == ReserveRequest(eventID: 1, userID: nil))
        #expect(try reserve(#"{"event_id": 1}"#) != ReserveRequest(eventID: 1, userID: "u"))
        #expect(try CancelRequest(body: [], queryUserID: nil) == CancelRequest(userID: nil))
        #expect(try CancelRequest(body: Array("{}".utf8), queryUserID: nil) == CancelRequest(userID: nil))
    }

    @Test func escapesSpacingAndExtraFieldsParseToTheSameRequest() throws {
        let first = try reserve(#"{"event_id":1,"user_id":"Zoë 🎟","seat_no":17}"#)
        let second = try reserve(" {\n\t\"seat_no\" : 17 ,  \"user_id\":\"Zo\\u00eb \\ud83c\\udf9f\", \"event_id\":1, \"extra\": true }\r\n")
        #expect(first == second)
        #expect(second.userID.map { Array($0.utf8) } == Array("Zoë 🎟".utf8))
    }

    @Test func canonicallyEquivalentUserIDsAreDifferentRequests() throws {
        let composed = try reserve(#"{"event_id":1,"user_id":"\u00e9"}"#)
        let decomposed = try reserve(#"{"event_id":1,"user_id":"e\u0301"}"#)
        #expect(composed.userID == decomposed.userID) // Swift's String == says equal …
        #expect(composed != decomposed)               // … but they are different users.
    }

    @Test(arguments: [
        (#"{"user_id":"u"}"#, "event_id"),
        (#"{"event_id":"1","user_id":"u"}"#, "event_id"),
        (#"{"event_id":1.0,"user_id":"u"}"#, "event_id"),
        (#"{"event_id":1e0,"user_id":"u"}"#, "event_id"),
        (#"{"event_id":0,"user_id":"u"}"#, "event_id"),
        (#"{"event_id":9007199254740992,"user_id":"u"}"#, "event_id"),
        (#"{"event_id":null,"user_id":"u"}"#, "event_id"),
        (#"{"event_id":1,"user_id":7}"#, "user_id"),
        (#"{"event_id":1,"user_id":null}"#, "user_id"),
        (#"{"event_id":1,"user_id":""}"#, "user_id"),
        (#"{"event_id":1,"user_id":"a\u0000"}"#, "user_id"),
        (#"{"event_id":1,"user_id":"u","seat_no":null}"#, "seat_no"),
        (#"{"event_id":1,"user_id":"u","seat_no":"17"}"#, "seat_no"),
        (#"{"event_id":1,"user_id":"u","seat_no":0}"#, "seat_no"),
        (#"{"event_id":1,"user_id":"u","seat_no":17.0}"#, "seat_no"),
    ])
    func invalidReserveFieldsAreNamed(body: String, field: String) {
        #expect(reserveFailure(body)?.field == field)
    }

    @Test(arguments: ["", "   ", "[]", "\"x\"", "null", "1", #"{"event_id":1,}"#, "{", #"{"event_id":1} x"#])
    func reserveBodyMustBeAJSONObject(body: String) {
        let error = reserveFailure(body)
        #expect(error != nil)
        #expect(error?.field == nil)
    }

    @Test func malformedJSONMessageSaysWhereButNotWhat() {
        let error = reserveFailure(#"{"event_id":1,"user_id":"secret",}"#)
        #expect(error?.message == "request body is not valid JSON: unexpected character at byte 33")
        #expect(reserveFailure("[1]")?.message == "request body must be a JSON object")
    }

    @Test func createEventBodyParses() throws {
        let request = try CreateEventRequest(body: Array(#"{"total_seats": 100, "name": "Concert 🎟"}"#.utf8))
        #expect(request == CreateEventRequest(name: "Concert 🎟", totalSeats: 100))
    }

    @Test func createEventBodyErrorsNameTheField() {
        func failure(_ body: String) -> ValidationError? {
            validationFailure { () throws(ValidationError) in try CreateEventRequest(body: Array(body.utf8)) }
        }
        #expect(failure(#"{"total_seats": 100}"#)?.field == "name")
        #expect(failure(#"{"name": "", "total_seats": 100}"#)?.field == "name")
        #expect(failure(#"{"name": "x", "total_seats": 1000001}"#)?.field == "total_seats")
        #expect(failure(#"{"name": "x", "total_seats": 10.0}"#)?.field == "total_seats")
        #expect(failure(#"{"name": "x"}"#)?.message == "total_seats is required")
    }

    @Test func cancelTakesTheUserFromTheBodyOrTheQuery() throws {
        #expect(try CancelRequest(body: Array(#"{"user_id":"u"}"#.utf8), queryUserID: nil) == CancelRequest(userID: "u"))
        #expect(try CancelRequest(body: [], queryUserID: "u") == CancelRequest(userID: "u"))
        #expect(try CancelRequest(body: Array("{}".utf8), queryUserID: "u") == CancelRequest(userID: "u"))
        #expect(try CancelRequest(body: Array(#"{"user_id":"u"}"#.utf8), queryUserID: "u") == CancelRequest(userID: "u"))
    }

    @Test func cancelRejectsDisagreeingOrInvalidUsers() {
        func failure(_ body: String, _ query: String?) -> ValidationError? {
            validationFailure { () throws(ValidationError) in try CancelRequest(body: Array(body.utf8), queryUserID: query) }
        }
        #expect(failure(#"{"user_id":"u"}"#, "v")?.message == "user_id in the body and in the query must be the same")
        #expect(failure(#"{"user_id":"\u00e9"}"#, "e\u{301}")?.field == "user_id")
        #expect(failure("", "")?.field == "user_id")
        #expect(failure("", "a\u{7F}")?.field == "user_id")
        #expect(failure(#"{"user_id":5}"#, "u")?.message == "user_id must be a string")
        #expect(failure(" ", "u")?.field == nil)
        #expect(failure("not json", "u")?.field == nil)
    }
}
