import ArgumentParser

/// One event, many more users than seats, each user reserving once: the seats go in seconds
/// and everyone else hears SOLD_OUT.
struct FlashSaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flashsale",
        abstract: "Creates an event with --seats seats; --users distinct users reserve once each.",
        discussion: "Counts the 201s (seats won) and the 409 SOLD_OUT answers, then verifies the event. "
            + "Bounded by --users requests (and --requests), and by --seconds (default 300)."
    )

    @OptionGroup var load: LoadOptions
    @OptionGroup var verify: VerifyOptions

    @Option(help: "Seats of the event (1 to 1000000).")
    var seats = 20_000

    @Option(help: "Distinct users, each reserving once.")
    var users = 50_000

    @Option(help: "Readers of the event's seat stream during the sale; each must end on the map of /seats (0: none).")
    var subscribers = 0

    func validate() throws {
        guard (1...1_000_000).contains(seats) else { throw ValidationError("--seats takes 1 to 1000000") }
        guard (1...100_000_000).contains(users) else { throw ValidationError("--users takes 1 to 100000000") }
        guard (0...10_000).contains(subscribers) else { throw ValidationError("--subscribers takes 0 to 10000") }
    }

    func run() async throws {
        let start = try await ScenarioStart.open("flash sale", seats: seats, load: load)
        defer { start.api.close() }
        let (api, tag, eventID) = (start.api, start.tag, start.eventID)
        let identities = try await load.tokens.identities(prefix: "fs-\(tag)-", count: users)
        var readers: StreamSubscribers?
        if subscribers > 0 {
            ProgressLine.note("flash sale: \(subscribers) readers of the event's seat stream")
            readers = try await StreamSubscribers.open(subscribers, to: load.target, eventID: eventID)
        }
        ProgressLine.note("flash sale: event \(eventID) with \(seats) seats, \(users) users, \(load.modeDescription)")
        let statistics = try await LoadRun.execute(
            load.plan(defaultSeconds: 300, naturalCount: users), label: "flashsale", showProgress: true
        ) { _ in FlashSaleWorkload(eventID: eventID, users: identities) }
        var extraChecks: [RunSummary.Check] = []
        if let readers {
            let map = try await api.seatMap(eventID: eventID)
            let (check, note) = try await readers.check(against: map.seats, version: map.version)
            ProgressLine.note("flash sale: \(note)")
            extraChecks.append(check)
        }
        try await ScenarioReport.finish(
            scenario: "flashsale", load: load, verify: verify, api: api, statistics: statistics, successLabels: ["201"],
            targets: [RunVerifier.Target(
                // Exact only when every request got an expected answer: behind a proxy, a 502 may
                // stand for a reserve that committed before its server died.
                eventID: eventID, expectedConfirmed: statistics.unexpected == 0 ? statistics.impliedConfirmed() : nil,
                confirmedBounds: statistics.impliedConfirmedBounds()
            )],
            extraChecks: extraChecks
        )
    }
}
