import BookingAPI
import Foundation
import StrictJSON

/// The body codec of one booking message (docs/api.md, "Messages"): a booking held, confirmed,
/// cancelled or expired, as the outbox relay publishes it. PostgreSQL writes the body (the `booking_message`
/// function, in the transaction of the change); this is how it is read. Parsed strictly, because
/// whatever passes here is written to PostgreSQL: a value the database would refuse must be
/// caught now and dead-lettered, not retried for ever.
public struct BookingMessage: Sendable, Equatable {
    /// The message's `type`, which is also its routing key.
    public enum Kind: String, Sendable, CaseIterable {
        case held = "booking.held"
        case confirmed = "booking.confirmed"
        case cancelled = "booking.cancelled"
        case expired = "booking.expired"
    }

    /// The message id (a UUID, lower case), which is also the AMQP `message_id`.
    public let id: String
    public let kind: Kind
    public let occurredAt: String
    public let bookingID: Int64
    public let eventID: Int64
    public let userID: String
    public let seatNo: Int64
    /// The body as received, stored as the notification's payload and posted to the webhook.
    public let body: [UInt8]

    public init(body: [UInt8], messageID: String?, routingKey: String) throws(MalformedMessage) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw MalformedMessage("the body is not JSON: \(error)")
        }
        guard case .object = document else { throw MalformedMessage("the body is \(document.kindDescription), not an object") }

        guard let id = document["id"].flatMap(Self.string), let uuid = UUID(uuidString: id) else {
            throw MalformedMessage("\"id\" is not a UUID")
        }
        self.id = uuid.uuidString.lowercased()
        if let messageID, UUID(uuidString: messageID) != uuid {
            throw MalformedMessage("the AMQP message_id \"\(messageID.prefix(64))\" differs from the body's id")
        }
        guard let type = document["type"].flatMap(Self.string), let kind = Kind(rawValue: type) else {
            throw MalformedMessage("\"type\" is none of " + Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard routingKey == type else {
            throw MalformedMessage("routing key \"\(routingKey.prefix(64))\" differs from type \(type)")
        }
        self.kind = kind
        guard let occurredAt = document["occurred_at"].flatMap(Self.string), Self.isTimestamp(occurredAt) else {
            throw MalformedMessage("\"occurred_at\" is not an RFC 3339 UTC timestamp with milliseconds")
        }
        self.occurredAt = occurredAt

        guard let booking = document["booking"], case .object = booking else {
            throw MalformedMessage("\"booking\" is not an object")
        }
        do {
            bookingID = try Validate.id(from: booking["id"], field: "booking.id")
            eventID = try Validate.id(from: booking["event_id"], field: "booking.event_id")
            userID = try Validate.userID(from: booking["user_id"], field: "booking.user_id")
            seatNo = try Validate.seatNumber(from: booking["seat_no"], field: "booking.seat_no")
        } catch {
            throw MalformedMessage(error.message)
        }
        self.body = body
    }

    private static func string(_ value: JSONValue) -> String? {
        if case .string(let text) = value { text } else { nil }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` with plausible field ranges, as the relay writes it.
    public static func isTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 24 else { return false }
        let layout = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
        for (byte, expected) in zip(bytes, layout) {
            if expected == UInt8(ascii: "d") {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return false }
            } else if byte != expected {
                return false
            }
        }
        func number(_ range: Range<Int>) -> Int { bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } }
        return (1...12).contains(number(5..<7)) && (1...31).contains(number(8..<10))
            && number(11..<13) < 24 && number(14..<16) < 60 && number(17..<19) < 60
    }
}
