/// Reads of existing users' bookings, round robin over the users: request `n` lists user `n mod users`.
final class UserListWorkload: Workload {
    let userPrefix: String
    let users: Int

    init(userPrefix: String, users: Int) {
        self.userPrefix = userPrefix
        self.users = users
    }

    func request(number: Int) -> BenchRequest {
        .listBookings(userID: "\(userPrefix)\(number % users)")
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        .of(response, expected: ["200"])
    }
}
