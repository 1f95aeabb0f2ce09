/// Books seats before a scenario measures: each of `users` reserves once on `eventID`, through
/// the same generator but quietly and unmeasured.
enum SeatFilling {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func fill(eventID: Int, users: UserIdentities, load: LoadOptions) async throws {
        let booked = try await askOnce(eventID: eventID, users: users, load: load).count(.reserve, "201")
        guard booked == users.count else {
            throw Failed(description: "setting up event \(eventID): \(booked) of \(users.count) reservations succeeded")
        }
    }

    /// Each of `users` reserves once on `eventID`, quietly and unmeasured; the answers' statistics.
    static func askOnce(eventID: Int, users: UserIdentities, load: LoadOptions) async throws -> LoadStatistics {
        let count = users.count
        let plan = LoadPlan(
            target: load.target, connections: min(load.connections, count), mode: .closed(RequestBudget(limit: count)),
            seconds: 600, requestTimeout: .seconds(Int64(load.timeout)), threads: load.threads
        )
        return try await LoadRun.execute(plan, label: "setup", showProgress: false) { _ in
            FlashSaleWorkload(eventID: eventID, users: users)
        }
    }
}
