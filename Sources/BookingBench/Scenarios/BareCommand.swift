import ArgumentParser

/// The baseline of the HTTP scenarios: the rejections' requests, sent the same way, to a bare
/// Hummingbird route (`BookingServer bare-route`) that answers each with a fixed `409 SOLD_OUT`
/// and does nothing else. A scenario's rate over this one's, measured in the same run, is how
/// much of the HTTP stack's own rate the scenario keeps.
struct BareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare",
        abstract: "Sends the rejections' reservations to a bare route (BookingServer bare-route) for --seconds (default 10).",
        discussion: "Nothing is verified: the route has no store. The users are --users made-up ids (with a token each when a JWT secret is given, "
            + "so that the requests are as long as the scenario's)."
    )

    @OptionGroup var load: LoadOptions

    @Option(help: "Users the requests come from, round robin.")
    var users = 10_100

    func validate() throws {
        guard (1...1_000_000).contains(users) else { throw ValidationError("--users takes 1 to 1000000") }
    }

    func run() async throws {
        let api = try await APIClient.connect(to: load.target, adminToken: load.adminToken)
        defer { api.close() }
        let users = try await load.tokens.identities(prefix: "bare-\(RunTag.make())-", count: users)
        ProgressLine.note("bare: \(load.modeDescription)")
        let statistics = try await LoadRun.execute(load.plan(defaultSeconds: 10), label: "bare", showProgress: true) { _ in
            BareWorkload(users: users)
        }
        var verify = VerifyOptions()
        verify.noVerify = true
        try await ScenarioReport.finish(
            scenario: "bare", load: load, verify: verify, api: api, statistics: statistics,
            successLabels: ["409 SOLD_OUT"], targets: []
        )
    }
}

/// Reservations of event 1 by each user in turn; the bare route refuses them all.
final class BareWorkload: Workload {
    let users: UserIdentities

    init(users: UserIdentities) {
        self.users = users
    }

    func request(number: Int) -> BenchRequest {
        .reserve(eventID: 1, by: number % users.count, of: users)
    }

    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome {
        .of(response, expected: ["409 SOLD_OUT"])
    }
}
