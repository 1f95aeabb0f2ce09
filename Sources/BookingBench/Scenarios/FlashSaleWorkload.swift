/// Many distinct users, each reserving once on one event: request `n` is user `n`'s only try.
/// A seat (201) or SOLD_OUT (409) are the two right answers.
final class FlashSaleWorkload: Workload {
    static let expected: Set<String> = ["201", "409 SOLD_OUT"]

    let eventID: Int
    let users: UserIdentities

    init(eventID: Int, users: UserIdentities) {
        self.eventID = eventID
        self.users = users
    }

    func request(number: Int) -> BenchRequest {
        .reserve(eventID: eventID, by: number, of: users)
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        .of(response, expected: Self.expected)
    }
}
