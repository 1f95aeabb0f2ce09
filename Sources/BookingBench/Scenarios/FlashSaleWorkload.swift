/// Many distinct users, each reserving once on one event: request `n` is user `n`'s only try.
/// A seat (201) or SOLD_OUT (409) are the two right answers.
final class FlashSaleWorkload: Workload {
    static let expected: Set<String> = ["201", "409 SOLD_OUT"]

    let eventID: Int
    let userPrefix: String

    init(eventID: Int, userPrefix: String) {
        self.eventID = eventID
        self.userPrefix = userPrefix
    }

    func request(number: Int) -> BenchRequest {
        .reserve(eventID: eventID, userID: "\(userPrefix)\(number)")
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        .of(response, expected: Self.expected)
    }
}
