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
    /// The outbox row that the booking statement (or the cancel statement) itself writes, read
    /// in its own transaction, which is then rolled back: no relay can have taken it, and the
    /// test leaves nothing behind.
    private func outboxRow(
        of kind: BookingMessage.Kind, event: Int64, user: String, seat: Int
    ) async throws -> (body: [UInt8], messageID: String, routingKey: String, bookingID: Int64) {
        try await TestDatabase.withClient { client in
            do {
                return try await client.withTransaction { connection in
                    // A hold of 0 seconds has lapsed by the next statement (PostgreSQL's clock moves
                    // within a transaction), which the expiry statement then moves.
                    let holdSeconds = switch kind {
                    case .held: 60
                    case .expired: 0
                    case .confirmed, .cancelled: Int?.none
                    }
                    var booked = try await connection.query(holdSeconds.map { seconds in
                        PostgresQuery(BookingSQL.insertHold, binds: [.init(event), .init(user), .init(seat), .init(seconds)])
                    } ?? PostgresQuery(BookingSQL.insertBooking, binds: [.init(event), .init(user), .init(seat)]))
                    let id = try booked[0].decode(0, as: Int64.self)
                    if kind == .cancelled {
                        booked = try await connection.query(PostgresQuery(BookingSQL.cancelBooking, binds: [.init(id), .init(user)]))
                        #expect(booked.count == 1)
                    }
                    if kind == .expired {
                        booked = try await connection.query(PostgresQuery(
                            BookingSQL.expireLapsedInTheWay, binds: [.init(event), .init(user), .init(seat)]
                        ))
                        #expect(booked.count == 1)
                    }
                    let rows = try await connection.query(PostgresQuery("""
                        SELECT payload::text, message_id::text, routing_key FROM outbox
                        WHERE routing_key = $1 AND (payload #>> '{booking,id}')::int8 = $2
                        """, binds: [.init(kind.rawValue), .init(id)]))
                    let row = try #require(rows.first)
                    throw RolledBack(row: (
                        Array(try row.decode(0, as: String.self).utf8), try row.decode(1, as: String.self),
                        try row.decode(2, as: String.self), id
                    ))
                }
            } catch let rolledBack as RolledBack {
                return rolledBack.row
            }
        }
    }

    /// Carries the row out of the transaction that it rolls back.
    private struct RolledBack: Error {
        let row: (body: [UInt8], messageID: String, routingKey: String, bookingID: Int64)
    }

    @Test(arguments: BookingMessage.Kind.allCases)
    func theBookingStatementsWriteMessagesTheCodecReads(_ kind: BookingMessage.Kind) async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 3)
            let user = TestEnvironment.uniqueUser("Zoë 🎟")
            let row = try await outboxRow(of: kind, event: event, user: user, seat: 3)
            #expect(row.routingKey == kind.rawValue)
            let parsed = try BookingMessage(body: row.body, messageID: row.messageID, routingKey: row.routingKey)
            #expect(parsed.kind == kind)
            #expect(parsed.bookingID == row.bookingID)
            #expect(parsed.eventID == event)
            #expect(Array(parsed.userID.utf8) == Array(user.utf8))
            #expect(parsed.seatNo == 3)
            #expect(try await TestDatabase.bookingsOfUser(user) == 0, "the transaction was rolled back")
        }
    }

    /// The message of booking `id` as `booking_message` writes it for the statements: from
    /// `bookings` while confirmed, from `booking_history` once cancelled.
    private func message(of id: Int64, kind: BookingMessage.Kind) async throws -> (body: [UInt8], messageID: String) {
        let messageID = UUID().uuidString.lowercased()
        let sql = kind == .confirmed
            ? """
                SELECT booking_message($1::uuid, $2, created_at, id, event_id, user_id, seat_no, 'confirmed', created_at, NULL, NULL)::text
                FROM bookings WHERE id = $3
                """
            : """
                SELECT booking_message($1::uuid, $2, cancelled_at, id, event_id, user_id, seat_no, status, created_at, cancelled_at, expires_at)::text
                FROM booking_history WHERE id = $3
                """
        let rows = try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(sql, binds: [.init(messageID), .init(kind.rawValue), .init(id)]))
        }
        let body = try #require(rows.first).decode(0, as: String.self)
        return (Array(body.utf8), messageID)
    }

    @Test(arguments: [BookingMessage.Kind.confirmed, .cancelled])
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
