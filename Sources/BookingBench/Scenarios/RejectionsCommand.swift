import ArgumentParser

/// The cheapest answers the server gives: reservations refused in Redis because the event is full
/// or the user already holds a seat.
struct RejectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejections",
        abstract: "Fills a small event, then sends reservations that must be refused, for --seconds (default 10).",
        discussion: "Half come from users who hold a seat (409 ALREADY_BOOKED), half from --newcomers newcomers (409 SOLD_OUT), "
            + "each of whom has asked once before the measurement."
    )

    @OptionGroup var load: LoadOptions
    @OptionGroup var verify: VerifyOptions

    @Option(help: "Seats of the event, all booked before the measurement.")
    var seats = 100

    @Option(help: "Newcomers (users without a seat), each asking again and again.")
    var newcomers = 10_000

    func validate() throws {
        guard (1...100_000).contains(seats) else { throw ValidationError("--seats takes 1 to 100000") }
        guard (1...1_000_000).contains(newcomers) else { throw ValidationError("--newcomers takes 1 to 1000000") }
    }

    func run() async throws {
        let start = try await ScenarioStart.open("rejections", seats: seats, load: load)
        defer { start.api.close() }
        let (api, tag, eventID) = (start.api, start.tag, start.eventID)
        let holders = try await load.tokens.identities(prefix: "rj-\(tag)-holder-", count: seats)
        let newcomers = try await load.tokens.identities(prefix: "rj-\(tag)-new-", count: newcomers)
        ProgressLine.note("rejections: filling event \(eventID) with \(seats) bookings")
        try await SeatFilling.fill(eventID: eventID, users: holders, load: load)
        // The newcomers have asked once already, as the holders have booked: the measurement is the
        // steady state of a sold-out sale, in which every user (and, in the token mode, every
        // user's token) has been seen. The flash sale is where each request is a user's first.
        ProgressLine.note("rejections: \(newcomers.count) newcomers ask once")
        let refused = try await SeatFilling.askOnce(eventID: eventID, users: newcomers, load: load).count(.reserve, "409 SOLD_OUT")
        guard refused == newcomers.count else {
            throw SeatFilling.Failed(description: "event \(eventID): \(refused) of \(newcomers.count) newcomers were refused SOLD_OUT")
        }
        ProgressLine.note("rejections: \(load.modeDescription)")
        let statistics = try await LoadRun.execute(load.plan(defaultSeconds: 10), label: "rejections", showProgress: true) { _ in
            RejectionWorkload(eventID: eventID, holders: holders, newcomers: newcomers)
        }
        try await ScenarioReport.finish(
            scenario: "rejections", load: load, verify: verify, api: api, statistics: statistics,
            successLabels: ["409 ALREADY_BOOKED", "409 SOLD_OUT"],
            targets: [RunVerifier.Target(eventID: eventID, expectedConfirmed: statistics.impliedConfirmed(base: seats))]
        )
    }
}
