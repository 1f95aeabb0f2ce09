/// Reserves, lists and cancels drawn from a ``Blend``, by this loop's own users (the loops of a run
/// have disjoint users, so each knows exactly what its users hold). A user is free, holds one
/// booking, or has a request in flight; reserve takes a free user, cancel a holder (the caller's
/// own booking), list anyone. When the drawn operation has nobody to act for, the next that has
/// is taken instead, so every answer is one the scenario can predict.
final class MixedWorkload: Workload {
    static let expected: [Operation: Set<String>] = [.reserve: ["201", "409 SOLD_OUT"], .cancel: ["200"], .list: ["200"]]

    private let eventID: Int
    private let blend: Blend
    private let users: UserIdentities
    private var free: [Int]
    private var holders: [(user: Int, bookingID: Int)] = []
    private var generator: SplitMix64

    init(eventID: Int, blend: Blend, users: UserIdentities, seed: UInt64) {
        self.eventID = eventID
        self.blend = blend
        self.users = users
        free = Array(0..<users.count)
        generator = SplitMix64(seed: seed)
    }

    func request(number: Int) -> BenchRequest {
        let drawn = blend.operation(forTicket: Int(generator.next() % UInt64(blend.total)))
        switch drawn {
        case .cancel where !holders.isEmpty:
            let holder = holders.swapRemove(at: Int(generator.next() % UInt64(holders.count)))
            return .cancel(bookingID: holder.bookingID, by: holder.user, of: users, user: holder.user)
        case .reserve, .cancel:
            if !free.isEmpty {
                let user = free.swapRemove(at: Int(generator.next() % UInt64(free.count)))
                return .reserve(eventID: eventID, by: user, of: users, user: user)
            }
            fallthrough
        default:
            let user = Int(generator.next() % UInt64(users.count))
            return .listBookings(by: user, of: users, user: user)
        }
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        let outcome = Outcome.of(response, expected: Self.expected[request.operation] ?? [])
        switch (request.operation, outcome.label) {
        case (.reserve, "201"):
            if let body = response.body, let id = ResponseBodyScan.integer("id", in: body.readableBytesView) {
                holders.append((request.user, id))
            }
        case (.reserve, "409 SOLD_OUT"), (.cancel, "200"):
            free.append(request.user)
        default:
            // An unexpected answer leaves the user's state unknown: the user sits the run out.
            break
        }
        return outcome
    }
}

extension Array {
    /// Removes in O(1) by moving the last element into the hole; order does not matter here.
    fileprivate mutating func swapRemove(at index: Int) -> Element {
        swapAt(index, count - 1)
        return removeLast()
    }
}
