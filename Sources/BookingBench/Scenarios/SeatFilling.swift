/// Books seats before a scenario measures: `count` users `<prefix>0 …` reserve once each on
/// `eventID`, through the same generator but quietly and unmeasured.
enum SeatFilling {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func fill(eventID: Int, userPrefix: String, count: Int, load: LoadOptions) async throws {
        let plan = LoadPlan(
            target: load.target, connections: min(load.connections, count), mode: .closed(RequestBudget(limit: count)),
            seconds: 600, requestTimeout: .seconds(Int64(load.timeout)), threads: load.threads
        )
        let statistics = try await LoadRun.execute(plan, label: "setup", showProgress: false) { _ in
            FlashSaleWorkload(eventID: eventID, userPrefix: userPrefix)
        }
        let booked = statistics.count(.reserve, "201")
        guard booked == count else {
            throw Failed(description: "setting up event \(eventID): \(booked) of \(count) reservations succeeded")
        }
    }
}
