import ArgumentParser

/// Reads: the bookings of existing users, through `GET /api/bookings/user/{id}`.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Creates an event and --users users with a booking each, then lists their bookings for --seconds (default 10)."
    )

    @OptionGroup var load: LoadOptions
    @OptionGroup var verify: VerifyOptions

    @Option(help: "Users, each booked on the event before the measurement.")
    var users = 1_000

    func validate() throws {
        guard (1...1_000_000).contains(users) else { throw ValidationError("--users takes 1 to 1000000") }
    }

    func run() async throws {
        let start = try await ScenarioStart.open("list", seats: users, load: load)
        defer { start.api.close() }
        let (api, tag, eventID) = (start.api, start.tag, start.eventID)
        let identities = try await load.tokens.identities(prefix: "ls-\(tag)-", count: users)
        ProgressLine.note("list: booking \(users) users on event \(eventID)")
        try await SeatFilling.fill(eventID: eventID, users: identities, load: load)
        ProgressLine.note("list: \(load.modeDescription)")
        let statistics = try await LoadRun.execute(load.plan(defaultSeconds: 10), label: "list", showProgress: true) { _ in
            UserListWorkload(users: identities)
        }
        try await ScenarioReport.finish(
            scenario: "list", load: load, verify: verify, api: api, statistics: statistics, successLabels: ["200"],
            targets: [RunVerifier.Target(eventID: eventID, expectedConfirmed: users)]
        )
    }
}
