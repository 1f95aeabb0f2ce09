import BookingCore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle
import StrictJSON

/// `/api/events/{event_id}/seats` (the map now, read from PostgreSQL) and
/// `/api/events/{event_id}/stream` (the map kept live, as Server-Sent Events, from the instance's
/// ``SeatHub``). Both public, as the events are.
struct SeatRoutes: Sendable {
    let service: BookingService
    let hub: SeatHub

    func add(to router: Router<some RequestContext>) {
        router.get("/api/events/{event_id}/seats") { request, context in try await seats(request, context) }
        router.get("/api/events/{event_id}/stream") { request, context in try await stream(request, context) }
    }

    func seats(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try BookingRoutes.pathID(context, "event_id")
        let map = try await service.seatMap(eventID: id)
        return JSONResponse.success { object in Self.write(map, to: &object) }
    }

    func stream(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try BookingRoutes.pathID(context, "event_id")
        // An id the client cannot have had from us reads as none: it gets the map.
        let lastVersion = request.headers[Self.lastEventID].flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let subscription = try await hub.subscribe(eventID: id, after: lastVersion)
        return Self.response(streaming: SeatStreamLease(hub: hub, subscription: subscription))
    }

    /// The stream's answer: its head, then each message of the subscription as an event until the
    /// client leaves or the server shuts down. The lease ends the subscription when the body ends,
    /// and also when the answer is dropped before its body ever runs (a client that left before
    /// the head was written).
    static func response(streaming lease: SeatStreamLease) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // A proxy in front (nginx) must pass each event on as it comes.
        headers[Self.accelBuffering] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let subscription = lease.subscription
            defer { lease.end() }
            try await withGracefulShutdownHandler {
                while let message = await subscription.next() {
                    switch message {
                    case .seats(let batch):
                        if let event = batch.event { try await writer.write(event) }
                    case .snapshot, .ping:
                        if let bytes = Self.event(message) { try await writer.write(ByteBuffer(bytes: bytes)) }
                    }
                }
            } onGracefulShutdown: {
                subscription.close()
            }
            try await writer.finish(nil)
        })
    }

    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!

    /// The map's fields as `/seats` and the snapshot write them, lapsed holds as free.
    static func write(_ map: SeatMap, to object: inout JSONObjectWriter) {
        object.field("event_id", map.eventID)
        object.field("total_seats", map.totalSeats)
        object.field("version", map.version)
        object.field("seats", String(decoding: map.rendered(at: nowMicroseconds()), as: UTF8.self))
    }

    /// One message as a Server-Sent Event; nil for nothing to write (an empty change).
    static func event(_ message: StreamMessage) -> [UInt8]? {
        var bytes: [UInt8] = []
        switch message {
        case .ping:
            bytes.append(contentsOf: ": ping\n\n".utf8)
        case .snapshot(let map):
            var writer = JSONWriter(reservingCapacity: map.totalSeats + 128)
            writer.object { write(map, to: &$0) }
            bytes.append(contentsOf: "event: snapshot\nid: \(map.version)\ndata: ".utf8)
            bytes.append(contentsOf: writer.bytes)
            bytes.append(contentsOf: "\n\n".utf8)
        case .seats(let batch):
            return event(seatsAt: batch.version, batch.changes)
        }
        return bytes
    }

    /// A `seats` event; nil for no change.
    static func event(seatsAt version: Int64, _ changes: [SeatChange.Seat]) -> [UInt8]? {
        guard !changes.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var writer = JSONWriter(reservingCapacity: 64 + changes.count * 32)
        writer.object { object in
            object.field("version", version)
            object.arrayField("changes") { array in
                for change in changes {
                    array.object { seat in
                        seat.field("seat_no", change.seatNumber)
                        seat.field("state", change.state.rawValue)
                    }
                }
            }
        }
        bytes.append(contentsOf: "event: seats\nid: \(version)\ndata: ".utf8)
        bytes.append(contentsOf: writer.bytes)
        bytes.append(contentsOf: "\n\n".utf8)
        return bytes
    }

    static func nowMicroseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}

/// A stream's hold on its subscription, ended once: when the stream's body ends, or when the last
/// reference to it goes (the answer dropped unsent), whichever comes first.
final class SeatStreamLease: Sendable {
    let hub: SeatHub
    let subscription: SeatSubscription

    init(hub: SeatHub, subscription: SeatSubscription) {
        self.hub = hub
        self.subscription = subscription
    }

    /// Unsubscribes (the hub's unsubscribe does nothing the second time).
    func end() {
        hub.unsubscribe(subscription)
    }

    deinit {
        hub.unsubscribe(subscription)
    }
}
