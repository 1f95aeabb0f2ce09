import Foundation

@testable import QueueWorker

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

    static func message(bookingID: Int64 = 7, kind: BookingMessage.Kind = .confirmed) throws -> BookingMessage {
        let id = UUID().uuidString.lowercased()
        return try BookingMessage(
            body: body(id: id, type: kind.rawValue, booking: #"{"id": \#(bookingID), "event_id": 3, "user_id": "u", "seat_no": 1}"#),
            messageID: id, routingKey: kind.rawValue
        )
    }
}
