import ArgumentParser

/// A checkout sale: distinct users each hold once on one event (a flash sale of holds); then each
/// holder confirms, cancels or lets the hold lapse, in the given shares. Verified once every hold
/// has been confirmed, cancelled or moved to history by the expiry task.
struct CheckoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkout",
        abstract: "Creates an event with --seats seats; --users users hold once each, then confirm, cancel or let lapse by --shares.",
        discussion: "Reports holds granted per second (the first phase), confirms per second (the second) and checkouts "
            + "(hold then confirm) per second over both; verifies PostgreSQL, the seat counts and one message per status change."
    )

    @OptionGroup var load: LoadOptions
    @OptionGroup var verify: VerifyOptions

    @Option(help: "Seats of the event (1 to 1000000).")
    var seats = 20_000

    @Option(help: "Distinct users, each holding once.")
    var users = 50_000

    @Option(help: "hold_seconds of every hold (1 to 3600); the verification waits for the lapsed ones to be moved.")
    var holdSeconds = 5

    @Option(help: "How the holders settle, as weights: confirm=N,cancel=N,lapse=N.")
    var shares = "confirm=34,cancel=33,lapse=33"

    func validate() throws {
        guard (1...1_000_000).contains(seats) else { throw ValidationError("--seats takes 1 to 1000000") }
        guard (1...100_000_000).contains(users) else { throw ValidationError("--users takes 1 to 100000000") }
        guard (1...3600).contains(holdSeconds) else { throw ValidationError("--hold-seconds takes 1 to 3600") }
        _ = try Self.parseShares(shares)
    }

    /// `confirm=34,cancel=33,lapse=33` → the three weights (any may be 0, not all).
    static func parseShares(_ text: String) throws -> (confirm: Int, cancel: Int, lapse: Int) {
        var weights = ["confirm": 0, "cancel": 0, "lapse": 0]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, weights[pair[0]] != nil, let weight = Int(pair[1]), (0...1_000_000).contains(weight) else {
                throw ValidationError("--shares takes confirm=N,cancel=N,lapse=N (whole numbers), not \(text)")
            }
            weights[pair[0]] = weight
        }
        guard weights.values.reduce(0, +) > 0 else { throw ValidationError("--shares needs a weight above 0") }
        return (weights["confirm"]!, weights["cancel"]!, weights["lapse"]!)
    }

    /// Holder number `index` (in user order) settles by the shares, spread evenly: deterministic.
    static func settlement(of index: Int, shares: (confirm: Int, cancel: Int, lapse: Int)) -> Settlement? {
        let total = shares.confirm + shares.cancel + shares.lapse
        let slot = index % total
        if slot < shares.confirm { return .confirm }
        if slot < shares.confirm + shares.cancel { return .cancel }
        return nil
    }

    func run() async throws {
        let shares = try Self.parseShares(shares)
        let start = try await ScenarioStart.open("checkout", seats: seats, load: load)
        defer { start.api.close() }
        let (api, tag, eventID) = (start.api, start.tag, start.eventID)
        let identities = try await load.tokens.identities(prefix: "co-\(tag)-", count: users)
        let (holdSeconds, granted) = (holdSeconds, GrantedHolds())
        ProgressLine.note("checkout: event \(eventID) with \(seats) seats, \(users) users holding for \(holdSeconds) s, \(load.modeDescription)")
        var statistics = try await LoadRun.execute(
            load.plan(defaultSeconds: 300, naturalCount: users), label: "checkout holds", showProgress: true
        ) { _ in CheckoutHoldWorkload(eventID: eventID, users: identities, holdSeconds: holdSeconds, granted: granted) }
        let holds = granted.all
        let holdPhase = statistics.elapsedSeconds(untilLast: ["201"])
        if holdPhase >= Double(holdSeconds) {
            ProgressLine.note("checkout: WARNING the holds took \(Int(holdPhase)) s, longer than a hold lasts (\(holdSeconds) s): "
                + "early holds lapsed and their seats were held again; pass a longer --hold-seconds to measure confirms")
        }
        let plan = holds.enumerated().compactMap { index, hold in
            Self.settlement(of: index, shares: shares).map { (user: hold.user, bookingID: hold.bookingID, settlement: $0) }
        }
        ProgressLine.note("checkout: \(holds.count) holds granted; \(plan.filter { $0.settlement == .confirm }.count) confirm, "
            + "\(plan.filter { $0.settlement == .cancel }.count) cancel, \(holds.count - plan.count) let lapse")
        var settlePhase = 0.0
        if !plan.isEmpty {
            let settle = LoadPlan(
                target: load.target, connections: min(load.connections, plan.count), mode: .closed(RequestBudget(limit: plan.count)),
                seconds: 600, requestTimeout: .seconds(Int64(load.timeout)), threads: load.threads
            )
            let settled = try await LoadRun.execute(settle, label: "checkout settles", showProgress: true) { _ in
                CheckoutSettleWorkload(users: identities, plan: plan)
            }
            settlePhase = settled.elapsedSeconds
            statistics.merge(settled)
        }
        let confirms = statistics.count(.confirm, "200")
        let cancels = statistics.count(.cancel, "200")
        let exact = statistics.operations.values.allSatisfy { $0.failed == 0 }
        let figures = RunSummary.CheckoutFigures(
            holdsGranted: holds.count, holdsPerSecond: holdPhase > 0 ? Double(holds.count) / holdPhase : 0,
            holdPhaseSeconds: holdPhase, confirms: confirms, cancels: cancels, lapses: holds.count - confirms - cancels,
            confirmsPerSecond: settlePhase > 0 ? Double(confirms) / settlePhase : 0, settlePhaseSeconds: settlePhase,
            checkoutsPerSecond: holdPhase + settlePhase > 0 ? Double(confirms) / (holdPhase + settlePhase) : 0
        )
        // The lapsed holds are moved by the server's expiry task: the verification waits for them.
        var verify = verify
        verify.drainTimeout = max(verify.drainTimeout, holdSeconds + 30)
        try await ScenarioReport.finish(
            scenario: "checkout", load: load, verify: verify, api: api, statistics: statistics, successLabels: ["201"],
            targets: [RunVerifier.Target(
                eventID: eventID, expectedConfirmed: exact ? confirms : nil,
                expectedChanges: exact ? .init(held: holds.count, confirmed: confirms, cancelled: cancels, expired: holds.count - confirms - cancels) : nil
            )],
            checkout: figures
        )
    }
}
