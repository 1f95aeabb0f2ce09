/// Reservations on a full event that must all be refused in Redis: even-numbered requests come
/// from users who already hold a seat (ALREADY_BOOKED, which wins over SOLD_OUT), odd-numbered
/// ones from newcomers (SOLD_OUT).
final class RejectionWorkload: Workload {
    let eventID: Int
    let holderPrefix: String
    let holders: Int
    let newcomerPrefix: String

    init(eventID: Int, holderPrefix: String, holders: Int, newcomerPrefix: String) {
        self.eventID = eventID
        self.holderPrefix = holderPrefix
        self.holders = holders
        self.newcomerPrefix = newcomerPrefix
    }

    func request(number: Int) -> BenchRequest {
        number % 2 == 0
            ? .reserve(eventID: eventID, userID: "\(holderPrefix)\((number / 2) % holders)", user: 1)
            : .reserve(eventID: eventID, userID: "\(newcomerPrefix)\(number)", user: 0)
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        .of(response, expected: request.user == 1 ? ["409 ALREADY_BOOKED"] : ["409 SOLD_OUT"])
    }
}
