import ArgumentParser
import Hummingbird

/// `BookingServer bare-route`: Hummingbird with one route and nothing else — no store, no
/// middleware, no transport limits — answering every reservation with a fixed `409 SOLD_OUT`
/// body of the API's shape. The benchmarks' baseline (`BookingBench bare`): what this machine's
/// HTTP stack gives under the same generator, against which the scenarios' rates are ratios.
struct BareRouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-route",
        abstract: "Serve one fixed answer on POST /api/bookings/reserve (the benchmarks' baseline) until SIGTERM or SIGINT."
    )

    @Option(help: "Address to listen on (loopback unless told otherwise).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 18090

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port takes 1 to 65535") }
    }

    func run() async throws {
        let body = ByteBuffer(string: #"{"success":false,"error":{"code":"SOLD_OUT","message":"no seat is left for this event"}}"#)
        let router = Router()
        router.post("/api/bookings/reserve") { request, _ -> Response in
            // The body is read, as the API reads it.
            _ = try await request.body.collect(upTo: 64 * 1024)
            return Response(status: .conflict, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil))
        try await app.runService()
    }
}
