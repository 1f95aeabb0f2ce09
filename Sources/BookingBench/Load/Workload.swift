/// What a scenario sends and how it reads the answers. One instance per event loop of the run,
/// used only on that loop, so a workload may keep state (the bookings its users hold) without locks.
protocol Workload: AnyObject {
    /// The request with this number. Numbers are unique across the run's loops: 0, 1, 2, ...
    /// in a closed loop as connections ask for work, in an open loop in the order of intended starts.
    func request(number: Int) -> BenchRequest

    /// What the answer means, and whether this scenario expects it.
    func judge(_ response: BenchResponse, to request: BenchRequest) -> Outcome

    /// The request got no answer; the workload forgets what it expected of it.
    func lost(_ request: BenchRequest)
}

extension Workload {
    func lost(_ request: BenchRequest) {}
}

/// How one answer counts: a label for the status table (`201`, `409 SOLD_OUT`) and whether the
/// scenario expected it. Anything unexpected fails the run unless errors are tolerated.
struct Outcome: Sendable, Equatable {
    var label: String
    var expected: Bool

    /// Labels an answer by its status, with the error envelope's code for 4xx answers.
    static func of(_ response: BenchResponse, expected statuses: Set<String>) -> Outcome {
        var label = String(response.status)
        if (400..<500).contains(response.status), let body = response.body,
            let code = ResponseBodyScan.errorCode(in: body.readableBytesView)
        {
            label += " " + code
        }
        return Outcome(label: label, expected: statuses.contains(label))
    }
}
