import NIOCore

/// How requests are started.
enum LoadMode: Sendable {
    /// Each connection sends its next request as soon as the previous one is answered, taking
    /// request numbers from a shared budget.
    case closed(RequestBudget)
    /// Requests start on a constant-rate schedule, whether or not connections are free.
    case open(OpenLoopSchedule)
}

/// Everything one run of load needs besides the workload.
struct LoadPlan: Sendable {
    var target: TargetURL
    /// Connections in all, spread over the event loops.
    var connections: Int
    var mode: LoadMode
    /// No request starts later than this after the run's start.
    var seconds: Int
    /// A request unanswered after this is a transport error (its connection is closed). It is also
    /// how long the run waits, after its last start, before it gives up on what is still queued.
    var requestTimeout: TimeAmount = .seconds(10)
    /// Event loop threads of the generator.
    var threads = 1

    /// This loop's share of the connections.
    func connections(onLoop loop: Int) -> Int {
        connections / threads + (loop < connections % threads ? 1 : 0)
    }
}
