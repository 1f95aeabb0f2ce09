/// Reservations on a full event that must all be refused in Redis: even-numbered requests come
/// from users who already hold a seat (ALREADY_BOOKED, which wins over SOLD_OUT), odd-numbered
/// ones from newcomers (SOLD_OUT). Both kinds take turns round robin, so each user asks again
/// and again, as the refused of a sold-out sale do.
final class RejectionWorkload: Workload {
    let eventID: Int
    let holders: UserIdentities
    let newcomers: UserIdentities

    init(eventID: Int, holders: UserIdentities, newcomers: UserIdentities) {
        self.eventID = eventID
        self.holders = holders
        self.newcomers = newcomers
    }

    func request(number: Int) -> BenchRequest {
        number % 2 == 0
            ? .reserve(eventID: eventID, by: (number / 2) % holders.count, of: holders, user: 1)
            : .reserve(eventID: eventID, by: (number / 2) % newcomers.count, of: newcomers, user: 0)
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        .of(response, expected: request.user == 1 ? ["409 ALREADY_BOOKED"] : ["409 SOLD_OUT"])
    }
}
