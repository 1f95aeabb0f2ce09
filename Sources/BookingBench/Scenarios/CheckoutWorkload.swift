import Synchronization

/// The holds a checkout's first phase was granted: (user index, booking id), from every loop.
final class GrantedHolds: Sendable {
    private let granted = Mutex<[(user: Int, bookingID: Int)]>([])

    func add(user: Int, bookingID: Int) { granted.withLock { $0.append((user, bookingID)) } }

    /// In user order, so that the shares of the second phase do not depend on answer order.
    var all: [(user: Int, bookingID: Int)] { granted.withLock { $0.sorted { $0.user < $1.user } } }
}

/// A checkout's first phase: each user holds once, as in a flash sale. A hold (201) or SOLD_OUT
/// are the two right answers; each hold's id is kept for the second phase.
final class CheckoutHoldWorkload: Workload {
    let eventID: Int
    let users: UserIdentities
    let holdSeconds: Int
    let granted: GrantedHolds

    init(eventID: Int, users: UserIdentities, holdSeconds: Int, granted: GrantedHolds) {
        self.eventID = eventID
        self.users = users
        self.holdSeconds = holdSeconds
        self.granted = granted
    }

    func request(number: Int) -> BenchRequest {
        .hold(eventID: eventID, by: number, of: users, seconds: holdSeconds, user: number)
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        let outcome = Outcome.of(response, expected: ["201", "409 SOLD_OUT"])
        if outcome.label == "201", let body = response.body, let id = ResponseBodyScan.integer("id", in: body.readableBytesView) {
            granted.add(user: request.user, bookingID: id)
        }
        return outcome
    }
}

/// What a holder does with their hold in the second phase.
enum Settlement: Sendable, Equatable {
    case confirm, cancel
}

/// A checkout's second phase: request `n` confirms or cancels the `n`-th settled hold, as its
/// user; a lapsing hold is left alone (its user sends nothing).
final class CheckoutSettleWorkload: Workload {
    let users: UserIdentities
    let plan: [(user: Int, bookingID: Int, settlement: Settlement)]

    init(users: UserIdentities, plan: [(user: Int, bookingID: Int, settlement: Settlement)]) {
        self.users = users
        self.plan = plan
    }

    func request(number: Int) -> BenchRequest {
        let step = plan[number]
        return switch step.settlement {
        case .confirm: .confirm(bookingID: step.bookingID, by: step.user, of: users, user: step.user)
        case .cancel: .cancel(bookingID: step.bookingID, by: step.user, of: users, user: step.user)
        }
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        .of(response, expected: ["200"])
    }
}
