import Testing
@testable import StrictJSON

@Suite struct JSONWriterTests {
    @Test func writesABookingObjectCompactly() {
        let json = written { writer in
            writer.object { booking in
                booking.field("id", 123)
                booking.field("event_id", Int64(1))
                booking.field("user_id", "Zoë")
                booking.field("seat_no", 17 as Int?)
                booking.field("status", "confirmed")
                booking.timestampField("created_at", microsecondsSinceEpoch: 1_795_428_000_123_000)
                booking.timestampField("cancelled_at", microsecondsSinceEpoch: nil)
                booking.field("paid", false)
                booking.nullField("note")
            }
        }
        #expect(json == #"{"id":123,"event_id":1,"user_id":"Zoë","seat_no":17,"status":"confirmed","created_at":"2026-11-23T10:00:00.123Z","cancelled_at":null,"paid":false,"note":null}"#)
    }

    @Test func nilOptionalsAreWrittenAsNull() {
        let json = written { writer in
            writer.object { object in
                object.field("a", nil as String?)
                object.field("b", nil as Int?)
                object.field("c", nil as Int64?)
            }
        }
        #expect(json == #"{"a":null,"b":null,"c":null}"#)
    }

    @Test func nestedContainersGetTheirCommasRight() {
        let json = written { writer in
            writer.object { response in
                response.field("success", true)
                response.arrayField("bookings") { bookings in
                    bookings.object { $0.field("id", 1) }
                    bookings.object { $0.field("id", 2); $0.field("x", "y") }
                    bookings.array { $0.int(3); $0.null() }
                    bookings.array { _ in }
                }
                response.objectField("event") { event in
                    event.field("id", 9)
                    event.objectField("empty") { _ in }
                    event.field("name", "n")
                }
                response.field("next_cursor", nil as String?)
            }
        }
        #expect(json == #"{"success":true,"bookings":[{"id":1},{"id":2,"x":"y"},[3,null],[]],"event":{"id":9,"empty":{},"name":"n"},"next_cursor":null}"#)
    }

    @Test func topLevelScalarsAndArrays() {
        #expect(written { $0.string("a") } == #""a""#)
        #expect(written { $0.int(-42) } == "-42")
        #expect(written { $0.int(Int64.min) } == "-9223372036854775808")
        #expect(written { $0.int(Int64.max) } == "9223372036854775807")
        #expect(written { $0.int(0) } == "0")
        #expect(written { $0.bool(true) } == "true")
        #expect(written { $0.null() } == "null")
        #expect(written { $0.number(JSONNumber(literal: "7.0")!) } == "7.0")
        #expect(written { $0.array { $0.string("x"); $0.bool(false); $0.int(Int64(5)) } } == #"["x",false,5]"#)
        #expect(written { $0.timestamp(microsecondsSinceEpoch: 0) } == #""1970-01-01T00:00:00.000Z""#)
    }

    @Test func appendsAfterExistingBytes() {
        var writer = JSONWriter(appendingTo: Array("data: ".utf8))
        writer.object { $0.field("a", 1) }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"data: {"a":1}"#)
    }

    @Test func quotesBackslashesAndControlCharactersAreEscaped() {
        #expect(written { $0.string("a\"b\\c/d") } == #""a\"b\\c/d""#)
        #expect(written { $0.string("\n\r\t\u{08}\u{0C}") } == #""\n\r\t\b\f""#)
        #expect(written { $0.string("\u{0}\u{1}\u{1F}") } == #""\u0000\u0001\u001F""#)
        #expect(written { $0.object { $0.field("k\"ey", 1) } } == #"{"k\"ey":1}"#)
    }

    @Test func nonASCIIIsWrittenAsUTF8Unchanged() {
        let text = "Zoë 🎟 \u{200B}\u{7F}\u{85}"
        var writer = JSONWriter()
        writer.string(text)
        #expect(writer.bytes == [0x22] + Array(text.utf8) + [0x22])
    }

    @Test(arguments: [
        "Zoë 🎟", "' OR 1=1 --", "a/b", "\u{200B}", "\"quoted\"", "back\\slash\\", "\u{0}\u{1}\n\u{1F}\u{7F}\u{9F}",
        "", "e\u{301}", "😀😀😀", "<script>alert(1)</script>", "日本語",
    ])
    func stringsRoundTripByteForByte(text: String) throws {
        var writer = JSONWriter()
        writer.object { $0.field("user_id", text) }
        let parsed = try JSONParser.parse(writer.bytes)
        guard case .string(let back)? = parsed["user_id"] else {
            Issue.record("user_id missing")
            return
        }
        #expect(Array(back.utf8) == Array(text.utf8))
    }

    @Test func writtenValueSortsKeysAndRoundTrips() throws {
        let text = #"{ "b": [1, 2.50, "x\n"], "a": {"z": null, "y": true}, "é": -0 }"#
        let value = try JSONParser.parse(text)
        let output = written { $0.value(value) }
        #expect(output == #"{"a":{"y":true,"z":null},"b":[1,2.50,"x\n"],"é":-0}"#)
        #expect(try JSONParser.parse(output) == value)
    }

    @Test func serializationIsIndependentOfKeyOrderInTheInput() throws {
        let first = try JSONParser.parse(#"{"event_id":1,"user_id":"u","seat_no":2}"#)
        let second = try JSONParser.parse(#"{ "seat_no" : 2 , "user_id":"u",  "event_id": 1 }"#)
        #expect(written { $0.value(first) } == written { $0.value(second) })
    }

    @Test func writerWritesNestedValues() throws {
        let value: JSONValue = ["k": [1, "two", nil, ["x": false]]]
        #expect(written { $0.value(value) } == #"{"k":[1,"two",null,{"x":false}]}"#)
        #expect(written { w in w.object { $0.field("v", value) } } == #"{"v":{"k":[1,"two",null,{"x":false}]}}"#)
    }
}
