import ArgumentParser

/// Reserves, lists and cancels at once, in a configurable blend; cancels are of the caller's own
/// bookings, so seats come back and are booked again while the run goes on.
struct MixedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed",
        abstract: "Creates an event, then sends a --blend of reserve, list and cancel for --seconds (default 10)."
    )

    @OptionGroup var load: LoadOptions
    @OptionGroup var verify: VerifyOptions

    @Option(help: "Weights of the operations, e.g. reserve=70,list=20,cancel=10.")
    var blend = "reserve=70,list=20,cancel=10"

    @Option(help: "Seats of the event.")
    var seats = 50_000

    @Option(help: "Distinct users (split between the generator's threads).")
    var users = 100_000

    @Option(help: "Seed of the blend's choices (default: random).")
    var seed: UInt64?

    func validate() throws {
        do { _ = try Blend(parsing: blend) } catch { throw ValidationError(error.description) }
        guard (1...1_000_000).contains(seats) else { throw ValidationError("--seats takes 1 to 1000000") }
        guard users >= load.threads, users <= 10_000_000 else {
            throw ValidationError("--users takes at least one per thread, at most 10000000")
        }
    }

    func run() async throws {
        let blend = try Blend(parsing: blend)
        let start = try await ScenarioStart.open("mixed", seats: seats, load: load)
        defer { start.api.close() }
        let (api, tag, eventID) = (start.api, start.tag, start.eventID)
        let seed = seed ?? UInt64.random(in: 0...UInt64.max)
        let (users, threads) = (users, load.threads)
        var perLoop: [UserIdentities] = []
        for loop in 0..<threads {
            perLoop.append(try await load.tokens.identities(
                prefix: "mx-\(tag)-\(loop)-", count: users / threads + (loop < users % threads ? 1 : 0)
            ))
        }
        let identities = perLoop
        ProgressLine.note("mixed: event \(eventID), \(seats) seats, \(users) users, blend \(blend), seed \(seed), \(load.modeDescription)")
        let statistics = try await LoadRun.execute(load.plan(defaultSeconds: 10), label: "mixed", showProgress: true) { loop in
            MixedWorkload(eventID: eventID, blend: blend, users: identities[loop], seed: seed &+ UInt64(loop))
        }
        try await ScenarioReport.finish(
            scenario: "mixed", load: load, verify: verify, api: api, statistics: statistics, successLabels: ["200", "201"],
            targets: [RunVerifier.Target(eventID: eventID, expectedConfirmed: statistics.impliedConfirmed())]
        )
    }
}
