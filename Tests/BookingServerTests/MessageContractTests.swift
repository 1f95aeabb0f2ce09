import BookingMessages
import Foundation
import Postgres
import Testing

@testable import BookingServer

/// The message PostgreSQL writes for a booking change (`booking_message`, the function the
/// booking and cancel statements put in the outbox) is read by the message codec the worker
/// uses, and carries the booking exactly as the API shows it.
@Suite("Message contract")
struct MessageContractTests {
    /// The message of booking `id` as the outbox statements write it: from `bookings` while
    /// confirmed, from `booking_history` once cancelled.
    private func message(of id: Int64, kind: BookingMessage.Kind) async throws -> (body: [UInt8], messageID: String) {
        let messageID = UUID().uuidString.lowercased()
        let table = kind == .confirmed ? "bookings" : "booking_history"
        let cancelled = kind == .confirmed ? "NULL" : "cancelled_at"
        let rows = try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery("""
                SELECT booking_message($1::uuid, $2, id, event_id, user_id, seat_no, created_at, \(cancelled))::text
                FROM \(table) WHERE id = $3
                """, binds: [.init(messageID), .init(kind.rawValue), .init(id)]))
        }
        let body = try #require(rows.first).decode(0, as: String.self)
        return (Array(body.utf8), messageID)
    }

    @Test(arguments: BookingMessage.Kind.allCases)
    func theSQLsMessageParsesAndCarriesTheAPIsBooking(_ kind: BookingMessage.Kind) async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 3)
            let user = TestEnvironment.uniqueUser("Zoë 🎟")
            let reserved = try await api.reserve(event: event, user: user, seat: 2)
            let id = try #require(reserved.bookingID, "\(reserved)")
            if kind == .cancelled { #expect(try await api.cancel(booking: id, user: user).status == 200) }
            let shown = try await api.get("/api/bookings/\(id)")
            let apiBooking = try #require(shown.booking, "\(shown)")

            let (body, messageID) = try await message(of: id, kind: kind)
            let parsed = try BookingMessage(body: body, messageID: messageID, routingKey: kind.rawValue)
            #expect(parsed.id == messageID)
            #expect(parsed.kind == kind)
            #expect(parsed.bookingID == id)
            #expect(parsed.eventID == event)
            #expect(Array(parsed.userID.utf8) == Array(user.utf8))
            #expect(parsed.seatNo == 2)
            let document = try JSONDecoder().decode(JSON.self, from: Data(body))
            #expect(document["booking"] == apiBooking, "the message's booking is the API's booking, field for field")
            let changedAt = kind == .confirmed ? apiBooking["created_at"] : apiBooking["cancelled_at"]
            #expect(document["occurred_at"] == changedAt)
        }
    }
}
