import NIOCore
import NIOHTTP1

/// What a request does in the booking domain; statistics are kept per operation.
enum Operation: String, CaseIterable, Codable, Sendable {
    case reserve, hold, confirm, list, cancel, createEvent = "create_event", getEvent = "get_event"
}

/// One request of a run, with what the workload needs to make sense of its answer.
struct BenchRequest: Sendable {
    var operation: Operation
    var method: HTTPMethod
    var uri: String
    var body: String?
    var headers: [(String, String)] = []
    /// The workload's own bookkeeping (a user index, a booking id), handed back with the answer.
    var user: Int = 0
    var bookingID: Int = 0

    /// User `index` of `users` reserves on `eventID`; `user` is the workload's bookkeeping.
    static func reserve(eventID: Int, by index: Int, of users: UserIdentities, user: Int = 0) -> BenchRequest {
        BenchRequest(
            operation: .reserve, method: .POST, uri: "/api/bookings/reserve",
            body: #"{"event_id":\#(eventID),"user_id":"\#(users.userID(index))"}"#, headers: users.headers(index), user: user
        )
    }

    /// User `index` holds a seat of `eventID` for `seconds`.
    static func hold(eventID: Int, by index: Int, of users: UserIdentities, seconds: Int, user: Int = 0) -> BenchRequest {
        BenchRequest(
            operation: .hold, method: .POST, uri: "/api/bookings/hold",
            body: #"{"event_id":\#(eventID),"user_id":"\#(users.userID(index))","hold_seconds":\#(seconds)}"#,
            headers: users.headers(index), user: user
        )
    }

    static func confirm(bookingID: Int, by index: Int, of users: UserIdentities, user: Int = 0) -> BenchRequest {
        BenchRequest(
            operation: .confirm, method: .POST, uri: "/api/bookings/\(bookingID)/confirm",
            body: #"{"user_id":"\#(users.userID(index))"}"#, headers: users.headers(index), user: user, bookingID: bookingID
        )
    }

    static func listBookings(by index: Int, of users: UserIdentities, user: Int = 0) -> BenchRequest {
        BenchRequest(
            operation: .list, method: .GET, uri: "/api/bookings/user/\(users.userID(index))", body: nil,
            headers: users.headers(index), user: user
        )
    }

    static func cancel(bookingID: Int, by index: Int, of users: UserIdentities, user: Int = 0) -> BenchRequest {
        BenchRequest(
            operation: .cancel, method: .DELETE, uri: "/api/bookings/\(bookingID)",
            body: #"{"user_id":"\#(users.userID(index))"}"#, headers: users.headers(index), user: user, bookingID: bookingID
        )
    }
}

/// An answer: its status and body (bodies are small, and workloads read ids and codes from them).
struct BenchResponse: Sendable {
    var status: Int
    var body: ByteBuffer?

    var bodyBytes: [UInt8] { body.map { Array($0.readableBytesView) } ?? [] }
    var bodyText: String { body.map { String(buffer: $0) } ?? "" }
}

/// Why a request got no answer.
enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    case connectFailed
    case connectionClosed
    case timedOut
    case abandoned
    case protocolError

    var description: String {
        switch self {
        case .connectFailed: "connect failed"
        case .connectionClosed: "connection closed before the answer"
        case .timedOut: "no answer within the request timeout"
        case .abandoned: "not sent: the run's hard stop came first"
        case .protocolError: "malformed HTTP answer"
        }
    }
}
