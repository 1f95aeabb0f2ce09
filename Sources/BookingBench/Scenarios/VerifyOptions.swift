import ArgumentParser

/// How a run is checked afterwards, against PostgreSQL and the API.
struct VerifyOptions: ParsableArguments {
    @Option(help: "PostgreSQL of the server under load (default: $DATABASE_URL, else the local services').")
    var databaseURL = BenchEnvironment.variables.string(
        forKey: "DATABASE_URL", isSecret: true, default: "postgres://booking:booking@127.0.0.1:54329/booking"
    )

    @Option(help: "Seconds to wait for the outbox to drain and the worker to record every message.")
    var drainTimeout = 30

    @Flag(help: "Do not check the worker's notifications: for a server running without a QueueWorker.")
    var noVerifyNotifications = false

    @Flag(help: "Skip verification altogether (e.g. a remote server whose database is out of reach).")
    var noVerify = false

    func validate() throws {
        guard (0...3_600).contains(drainTimeout) else { throw ValidationError("--drain-timeout takes 0 to 3600") }
    }

    var verifier: RunVerifier? {
        noVerify ? nil : RunVerifier(
            databaseURL: databaseURL, drainTimeout: .seconds(drainTimeout), checksNotifications: !noVerifyNotifications
        )
    }
}
