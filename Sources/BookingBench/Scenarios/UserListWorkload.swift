/// Reads of existing users' bookings, round robin over the users: request `n` lists user `n mod users`.
final class UserListWorkload: Workload {
    let users: UserIdentities

    init(users: UserIdentities) {
        self.users = users
    }

    func request(number: Int) -> BenchRequest {
        .listBookings(by: number % users.count, of: users)
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        .of(response, expected: ["200"])
    }
}
