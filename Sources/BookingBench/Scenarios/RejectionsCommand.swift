import ArgumentParser

/// The cheapest answers the server gives: reservations refused in Redis because the event is full
/// or the user already holds a seat.
struct RejectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejections",
        abstract: "Fills a small event, then sends reservations that must be refused, for --seconds (default 10).",
        discussion: "Half come from users who hold a seat (409 ALREADY_BOOKED), half from newcomers (409 SOLD_OUT)."
    )

    @OptionGroup var load: LoadOptions
    @OptionGroup var verify: VerifyOptions

    @Option(help: "Seats of the event, all booked before the measurement.")
    var seats = 100

    func validate() throws {
        guard (1...100_000).contains(seats) else { throw ValidationError("--seats takes 1 to 100000") }
    }

    func run() async throws {
        let start = try await ScenarioStart.open("rejections", seats: seats, load: load)
        defer { start.api.close() }
        let (api, tag, eventID) = (start.api, start.tag, start.eventID)
        let holderPrefix = "rj-\(tag)-holder-"
        ProgressLine.note("rejections: filling event \(eventID) with \(seats) bookings")
        try await SeatFilling.fill(eventID: eventID, userPrefix: holderPrefix, count: seats, load: load)
        ProgressLine.note("rejections: \(load.modeDescription)")
        let statistics = try await LoadRun.execute(load.plan(defaultSeconds: 10), label: "rejections", showProgress: true) { _ in
            RejectionWorkload(eventID: eventID, holderPrefix: holderPrefix, holders: seats, newcomerPrefix: "rj-\(tag)-new-")
        }
        try await ScenarioReport.finish(
            scenario: "rejections", load: load, verify: verify, api: api, statistics: statistics,
            successLabels: ["409 ALREADY_BOOKED", "409 SOLD_OUT"],
            targets: [RunVerifier.Target(eventID: eventID, expectedConfirmed: statistics.impliedConfirmed(base: seats))]
        )
    }
}
