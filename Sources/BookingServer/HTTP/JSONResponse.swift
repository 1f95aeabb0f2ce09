import BookingAPI
import BookingCore
import Hummingbird
import StrictJSON

/// Responses with a JSON body, and the API's JSON form of bookings and events.
enum JSONResponse {
    static func make(status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"success": true, <body>}`.
    static func success(_ status: HTTPResponse.Status = .ok, _ body: (inout JSONObjectWriter) -> Void) -> Response {
        var writer = JSONWriter(reservingCapacity: 512)
        writer.object { object in
            object.field("success", true)
            body(&object)
        }
        return make(status: status, bytes: writer.bytes)
    }

    static func write(_ booking: Booking, to object: inout JSONObjectWriter) {
        object.field("id", booking.id)
        object.field("event_id", booking.eventID)
        if let name = booking.eventName { object.field("event_name", name) }
        object.field("user_id", booking.userID)
        object.field("seat_no", booking.seatNumber)
        object.field("status", booking.status.rawValue)
        object.timestampField("created_at", microsecondsSinceEpoch: booking.createdAt)
        object.timestampField("cancelled_at", microsecondsSinceEpoch: booking.cancelledAt)
        object.timestampField("expires_at", microsecondsSinceEpoch: booking.expiresAt)
    }

    static func write(_ event: Event, to object: inout JSONObjectWriter) {
        object.field("id", event.id)
        object.field("name", event.name)
        object.field("total_seats", event.totalSeats)
        object.field("booked_seats", event.bookedSeats)
        object.field("held_seats", event.heldSeats)
        object.field("available_seats", event.availableSeats)
        object.timestampField("created_at", microsecondsSinceEpoch: event.createdAt)
    }

    /// `{"success": true, "<name>": [...], "next_cursor": ...}`.
    static func page<Item>(_ name: String, _ page: Page<Item>, _ write: (Item, inout JSONObjectWriter) -> Void) -> Response {
        success { object in
            object.arrayField(name) { array in
                for item in page.items { array.object { write(item, &$0) } }
            }
            object.field("next_cursor", page.next.map { PageCursor(createdAtMicroseconds: $0.createdAt, id: $0.id).encode() })
        }
    }
}

extension PageCursor {
    var position: PagePosition { PagePosition(createdAt: createdAtMicroseconds, id: id) }
}
