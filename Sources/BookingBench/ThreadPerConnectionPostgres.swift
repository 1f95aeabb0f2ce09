import CLibPQ
import Foundation

/// The design the Postgres module did not take, measured for comparison: blocking libpq calls,
/// each connection on a thread of its own, async callers handing each statement over and
/// awaiting it. Lives in the benchmark only, so the choice rests on a figure.
enum ThreadPerConnectionPostgres {
    static func measure(url: String, callers: Int, duration: Duration) async throws -> Double {
        let workers = try (0..<callers).map { _ in try Worker(url: url) }
        defer { workers.forEach { $0.stop() } }
        return try await withThrowingTaskGroup(of: Double.self) { group in
            // One caller per connection, like a pool exactly as large as the load.
            for worker in workers {
                group.addTask { try await ClosedLoop.run(callers: 1, duration: duration) { try await worker.selectOne() } }
            }
            return try await group.reduce(0, +)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A connection confined to its own thread; jobs arrive under `condition`.
    final class Worker: @unchecked Sendable {
        private let condition = NSCondition()
        // Guarded by `condition`.
        private var job: (@Sendable (OpaquePointer) -> Void)?
        private var stopping = false
        private let connection: OpaquePointer

        init(url: String) throws {
            guard let connection = PQconnectdb(url), PQstatus(connection) == CONNECTION_OK else {
                throw Failure(description: "cannot connect to \(url)")
            }
            self.connection = connection
            let result = PQprepare(connection, "select1", "SELECT 1", 0, nil)
            PQclear(result)
            let thread = Thread { [self] in loop() }
            thread.start()
        }

        func selectOne() async throws {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                submit { connection in
                    let result = PQexecPrepared(connection, "select1", 0, nil, nil, nil, 1)
                    let ok = PQresultStatus(result) == PGRES_TUPLES_OK
                    PQclear(result)
                    if ok { continuation.resume() } else { continuation.resume(throwing: Failure(description: "SELECT 1 failed")) }
                }
            }
        }

        func stop() {
            condition.lock()
            stopping = true
            condition.signal()
            condition.unlock()
        }

        private func submit(_ body: @escaping @Sendable (OpaquePointer) -> Void) {
            condition.lock()
            job = body
            condition.signal()
            condition.unlock()
        }

        private func loop() {
            while true {
                condition.lock()
                while job == nil, !stopping { condition.wait() }
                if stopping {
                    condition.unlock()
                    PQfinish(connection)
                    return
                }
                let next = job!
                job = nil
                condition.unlock()
                next(connection)
            }
        }
    }
}
