import Testing

@testable import BookingBench

@Suite struct ResponseBodyScanTests {
    @Test func readsTheErrorCodeOfAnEnvelope() {
        let body = Array(#"{"success":false,"code":"SOLD_OUT","error":"no seat left"}"#.utf8)
        #expect(ResponseBodyScan.errorCode(in: body) == "SOLD_OUT")
        #expect(ResponseBodyScan.errorCode(in: Array(#"{ "code" : "ALREADY_BOOKED" }"#.utf8)) == "ALREADY_BOOKED")
    }

    @Test func findsNoCodeWhereThereIsNone() {
        #expect(ResponseBodyScan.errorCode(in: Array(#"{"success":true}"#.utf8)) == nil)
        #expect(ResponseBodyScan.errorCode(in: Array(#"{"error":"code"}"#.utf8)) == nil)
        #expect(ResponseBodyScan.errorCode(in: Array(#"{"code":"#.utf8)) == nil)
        #expect(ResponseBodyScan.errorCode(in: [UInt8]()) == nil)
    }

    @Test func readsTheBookingIdOfAReserveAnswer() {
        let body = Array(#"{"success":true,"booking":{"id":123456,"event_id":7,"user_id":"u","seat_no":3}}"#.utf8)
        #expect(ResponseBodyScan.integer("id", in: body) == 123_456)
        #expect(ResponseBodyScan.integer("event_id", in: body) == 7)
        #expect(ResponseBodyScan.integer("seat_no", in: body) == 3)
    }

    @Test func aFieldNameInsideAStringValueIsNotAField() {
        let body = Array(#"{"user_id":"\"id\" trick","id":9}"#.utf8)
        #expect(ResponseBodyScan.integer("id", in: body) == 9)
    }

    @Test func nonNumericValuesAreNotIntegers() {
        #expect(ResponseBodyScan.integer("id", in: Array(#"{"id":"12"}"#.utf8)) == nil)
        #expect(ResponseBodyScan.integer("id", in: Array(#"{"id":null}"#.utf8)) == nil)
    }
}
