import BookingMessages
import Foundation

@testable import QueueWorker

/// Booking messages as the outbox relay publishes them, for the handler's tests (the codec's
/// own tests are in BookingMessagesTests).
enum MessageFixture {
    static func message(bookingID: Int64 = 7, kind: BookingMessage.Kind = .confirmed) throws -> BookingMessage {
        let id = UUID().uuidString.lowercased()
        let body = #"{"id": "\#(id)", "type": "\#(kind.rawValue)", "occurred_at": "2026-11-23T10:00:00.123Z", "booking": {"id": \#(bookingID), "event_id": 3, "user_id": "u", "seat_no": 1}}"#
        return try BookingMessage(body: Array(body.utf8), messageID: id, routingKey: kind.rawValue)
    }
}
