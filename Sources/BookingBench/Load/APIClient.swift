import NIOCore
import NIOPosix
import Synchronization

/// One request at a time from async code over one keep-alive connection: for setting a run up
/// and checking it afterwards, not for load. The server closes a connection idle for longer
/// than its idle timeout (60 s by default), which a long run leaves this one: a read (`GET`)
/// that finds it closed is sent again once on a new connection.
final class APIClient: Sendable {
    struct UnexpectedAnswer: Error, CustomStringConvertible {
        let what: String
        let response: BenchResponse
        var description: String { "\(what): HTTP \(response.status) \(response.bodyText)" }
    }

    private let current: Mutex<NIOLoopBound<HTTPConnection>>
    private let target: TargetURL
    let adminToken: String

    private init(connection: NIOLoopBound<HTTPConnection>, target: TargetURL, adminToken: String) {
        current = Mutex(connection)
        self.target = target
        self.adminToken = adminToken
    }

    static func connect(to target: TargetURL, adminToken: String) async throws -> APIClient {
        APIClient(connection: try await open(target), target: target, adminToken: adminToken)
    }

    private static func open(_ target: TargetURL) async throws -> NIOLoopBound<HTTPConnection> {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: NIOLoopBound<HTTPConnection>.self)
        loop.execute {
            HTTPConnection.connect(to: target, on: loop) { result in
                switch result {
                case .success(let connection): promise.succeed(NIOLoopBound(connection, eventLoop: loop))
                case .failure: promise.fail(LoadRun.CannotConnect(target: target))
                }
            }
        }
        return try await promise.futureResult.get()
    }

    func send(_ request: BenchRequest) async throws -> BenchResponse {
        do {
            return try await send(request, on: current.withLock { $0 })
        } catch TransportError.connectionClosed where request.method == .GET {
            let fresh = try await Self.open(target)
            let stale = current.withLock { connection in
                defer { connection = fresh }
                return connection
            }
            stale.eventLoop.execute { stale.value.close() }
            return try await send(request, on: fresh)
        }
    }

    private func send(_ request: BenchRequest, on connection: NIOLoopBound<HTTPConnection>) async throws -> BenchResponse {
        let loop = connection.eventLoop
        let promise = loop.makePromise(of: BenchResponse.self)
        loop.execute {
            connection.value.send(request) { promise.completeWith($0.mapError { $0 as any Error }) }
        }
        return try await promise.futureResult.get()
    }

    /// GET /api/events/{id}/seats: the map's characters and its version.
    func seatMap(eventID: Int) async throws -> (seats: String, version: Int64) {
        let response = try await send(BenchRequest(operation: .getEvent, method: .GET, uri: "/api/events/\(eventID)/seats"))
        let text = response.bodyText
        guard response.status == 200,
              let seatsStart = text.range(of: #""seats":""#),
              let seatsEnd = text[seatsStart.upperBound...].firstIndex(of: "\""),
              let versionStart = text.range(of: #""version":"#),
              let version = Int64(text[versionStart.upperBound...].prefix { $0.isNumber })
        else { throw UnexpectedAnswer(what: "GET /api/events/\(eventID)/seats", response: response) }
        return (String(text[seatsStart.upperBound..<seatsEnd]), version)
    }

    /// POST /api/events; the new event's id.
    func createEvent(name: String, totalSeats: Int) async throws -> Int {
        let response = try await send(BenchRequest(
            operation: .createEvent, method: .POST, uri: "/api/events",
            body: #"{"name":"\#(name)","total_seats":\#(totalSeats)}"#,
            headers: [("Authorization", "Bearer \(adminToken)")]
        ))
        guard response.status == 201, let body = response.body,
            let id = ResponseBodyScan.integer("id", in: body.readableBytesView)
        else { throw UnexpectedAnswer(what: "creating an event (is --admin-token the server's ADMIN_TOKEN?)", response: response) }
        return id
    }

    /// GET /api/events/{id}: the server's seat counts.
    func seatCounts(ofEvent id: Int) async throws -> (total: Int, booked: Int, held: Int, available: Int) {
        let response = try await send(BenchRequest(operation: .getEvent, method: .GET, uri: "/api/events/\(id)"))
        guard response.status == 200, let body = response.body?.readableBytesView,
            let total = ResponseBodyScan.integer("total_seats", in: body),
            let booked = ResponseBodyScan.integer("booked_seats", in: body),
            let held = ResponseBodyScan.integer("held_seats", in: body),
            let available = ResponseBodyScan.integer("available_seats", in: body)
        else { throw UnexpectedAnswer(what: "reading event \(id)", response: response) }
        return (total, booked, held, available)
    }

    func close() {
        let connection = current.withLock { $0 }
        connection.eventLoop.execute { connection.value.close() }
    }
}
