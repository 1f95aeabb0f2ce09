import BookingAPI
import Hummingbird
import StrictJSON

/// `/health`, `/api/bookings/health` (dependencies, each with its own deadline) and
/// `/health/live` (the process serves HTTP; touches nothing). Outside the envelope.
struct HealthRoutes: Sendable {
    let checker: HealthChecker

    func add(to router: Router<some RequestContext>) {
        router.get("/health") { _, _ in await report() }
        router.get("/api/bookings/health") { _, _ in await report() }
        router.get("/health/live") { _, _ in
            JSONResponse.make(status: .ok, bytes: Array(#"{"status":"ok"}"#.utf8))
        }
    }

    func report() async -> Response {
        let checks = await checker.check()
        let postgresUp = checks.first { $0.name == "postgres" }?.isUp ?? false
        let status = !postgresUp ? "down" : checks.allSatisfy(\.isUp) ? "ok" : "degraded"
        var writer = JSONWriter(reservingCapacity: 256)
        writer.object { object in
            object.field("status", status)
            object.objectField("checks") { all in
                for check in checks {
                    all.objectField(check.name) { entry in
                        entry.field("status", check.isUp ? "up" : "down")
                        switch check.result {
                        case .success(let latency):
                            entry.field("latency_ms", Self.milliseconds(latency))
                        case .failure(let error):
                            entry.field("error", error.description)
                        }
                    }
                }
            }
        }
        return JSONResponse.make(status: postgresUp ? .ok : .serviceUnavailable, bytes: writer.bytes)
    }

    /// Milliseconds with three decimals, as a JSON number (`0.412`).
    static func milliseconds(_ duration: Duration) -> JSONNumber {
        JSONNumber(literal: duration.millisecondsText)!
    }
}
