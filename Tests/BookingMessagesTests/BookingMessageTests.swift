import Testing

@testable import BookingMessages

@Suite("Booking message parsing")
struct BookingMessageTests {
    @Test func aRelayedMessageParsesWithEveryField() throws {
        let body = MessageFixture.body()
        let message = try BookingMessage(body: body, messageID: MessageFixture.id, routingKey: "booking.confirmed")
        #expect(message.id == MessageFixture.id)
        #expect(message.kind == .confirmed)
        #expect(message.occurredAt == "2026-11-23T10:00:00.123Z")
        #expect(message.bookingID == 7)
        #expect(message.eventID == 3)
        #expect(message.userID == "Zoë 🎟")
        #expect(message.seatNo == 12)
        #expect(message.body == body, "the body is kept byte for byte")
    }

    @Test func anUpperCaseIDIsNormalisedAndAMissingMessageIDIsAccepted() throws {
        let message = try BookingMessage(
            body: MessageFixture.body(id: MessageFixture.id.uppercased()), messageID: nil, routingKey: "booking.confirmed"
        )
        #expect(message.id == MessageFixture.id)
    }

    @Test(arguments: [
        ("not json", Array("not json".utf8), "booking.confirmed"),
        ("an array", Array("[1]".utf8), "booking.confirmed"),
        ("id not a UUID", MessageFixture.body(id: "42"), "booking.confirmed"),
        ("unknown type", MessageFixture.body(type: "booking.moved"), "booking.moved"),
        ("routing key differs", MessageFixture.body(type: "booking.cancelled"), "booking.confirmed"),
        ("timestamp without ms", MessageFixture.body(occurredAt: "2026-11-23T10:00:00Z"), "booking.confirmed"),
        ("timestamp month 13", MessageFixture.body(occurredAt: "2026-13-23T10:00:00.000Z"), "booking.confirmed"),
        ("booking missing", Array(#"{"id": "\#(MessageFixture.id)", "type": "booking.confirmed", "occurred_at": "2026-11-23T10:00:00.123Z"}"#.utf8), "booking.confirmed"),
        ("booking id a string", MessageFixture.body(booking: #"{"id": "7", "event_id": 3, "user_id": "u", "seat_no": 1}"#), "booking.confirmed"),
        ("seat zero", MessageFixture.body(booking: #"{"id": 7, "event_id": 3, "user_id": "u", "seat_no": 0}"#), "booking.confirmed"),
        ("user id with a control character", MessageFixture.body(booking: #"{"id": 7, "event_id": 3, "user_id": "a\u0000b", "seat_no": 1}"#), "booking.confirmed"),
        ("user id missing", MessageFixture.body(booking: #"{"id": 7, "event_id": 3, "seat_no": 1}"#), "booking.confirmed"),
    ])
    func aMalformedMessageIsRefusedWithAReason(name: String, body: [UInt8], routingKey: String) {
        #expect(throws: MalformedMessage.self, "\(name)") {
            try BookingMessage(body: body, messageID: nil, routingKey: routingKey)
        }
    }

    @Test func aMessageIDThatDiffersFromTheBodysIDIsRefused() {
        #expect(throws: MalformedMessage.self) {
            try BookingMessage(
                body: MessageFixture.body(), messageID: "1b6c1f0e-3f51-4a8e-9a55-6d1f4b1c2d3e", routingKey: "booking.confirmed"
            )
        }
    }
}

/// Message bodies as the outbox relay writes them, with one part changed at a time.
enum MessageFixture {
    static let id = "0b6c1f0e-3f51-4a8e-9a55-6d1f4b1c2d3e"

    static func body(
        id: String = id,
        type: String = "booking.confirmed",
        occurredAt: String = "2026-11-23T10:00:00.123Z",
        booking: String = #"{"id": 7, "event_id": 3, "user_id": "Zoë 🎟", "seat_no": 12, "status": "confirmed", "created_at": "2026-11-23T10:00:00.123Z", "cancelled_at": null}"#
    ) -> [UInt8] {
        Array(#"{"id": "\#(id)", "type": "\#(type)", "occurred_at": "\#(occurredAt)", "booking": \#(booking)}"#.utf8)
    }
}
