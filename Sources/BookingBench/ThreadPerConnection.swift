import CHiredis
import CLibPQ
import Foundation

/// The design the clients did not take, measured for comparison: blocking C calls, each
/// connection on a thread of its own, async callers handing each request over and awaiting it.
/// It lives in the benchmark only, so the choice of mechanism rests on a figure.
enum ThreadPerConnection {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `SELECT 1` round trips per second with blocking libpq.
    static func postgres(url: String, callers: Int, duration: Duration) async throws -> Double {
        let workers = try (0..<callers).map { _ in
            try Worker(
                open: {
                    guard let connection = PQconnectdb(url), PQstatus(connection) == CONNECTION_OK else {
                        throw Failure(description: "cannot connect to PostgreSQL")
                    }
                    PQclear(PQprepare(connection, "select1", "SELECT 1", 0, nil))
                    return connection
                },
                close: { PQfinish($0) }
            )
        }
        return try await measure(workers, duration: duration) { connection in
            let result = PQexecPrepared(connection, "select1", 0, nil, nil, nil, 1)
            defer { PQclear(result) }
            return PQresultStatus(result) == PGRES_TUPLES_OK
        }
    }

    /// `PING` round trips per second with blocking hiredis.
    static func redis(host: String, port: Int, callers: Int, duration: Duration) async throws -> Double {
        let workers = try (0..<callers).map { _ in
            try Worker(
                open: {
                    guard let context = redisConnect(host, Int32(port)), context.pointee.err == 0 else {
                        throw Failure(description: "cannot connect to Redis")
                    }
                    return OpaquePointer(context)
                },
                close: { redisFree(UnsafeMutablePointer($0)) }
            )
        }
        return try await measure(workers, duration: duration) { context in
            // redisCommand is variadic, which Swift cannot call; the argv form is the same request.
            let reply: UnsafeMutableRawPointer? = "PING".withCString { ping in
                var argv: [UnsafePointer<CChar>?] = [ping]
                var lengths = [4]
                return redisCommandArgv(UnsafeMutablePointer(context), 1, &argv, &lengths)
            }
            guard let reply else { return false }
            freeReplyObject(reply)
            return true
        }
    }

    private static func measure(
        _ workers: [Worker], duration: Duration, _ request: @escaping @Sendable (OpaquePointer) -> Bool
    ) async throws -> Double {
        defer { workers.forEach { $0.stop() } }
        return try await withThrowingTaskGroup(of: Double.self) { group in
            // One caller per connection, like a pool exactly as large as the load.
            for worker in workers {
                group.addTask {
                    try await ClosedLoop.run(callers: 1, duration: duration) {
                        guard try await worker.perform(request) else { throw Failure(description: "a request failed") }
                    }
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// A C connection confined to its own thread (only `loop` touches it after `init`); jobs
    /// arrive under `condition`. Those two facts make it Sendable.
    final class Worker: @unchecked Sendable {
        private let condition = NSCondition()
        // Guarded by `condition`.
        private var job: (@Sendable (OpaquePointer) -> Void)?
        private var stopping = false
        private let connection: OpaquePointer
        private let closeConnection: @Sendable (OpaquePointer) -> Void

        init(open: () throws -> OpaquePointer, close: @escaping @Sendable (OpaquePointer) -> Void) throws {
            connection = try open()
            closeConnection = close
            Thread { [self] in
                loop()
                closeConnection(connection)
            }.start()
        }

        func perform(_ request: @escaping @Sendable (OpaquePointer) -> Bool) async throws -> Bool {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                condition.lock()
                job = { continuation.resume(returning: request($0)) }
                condition.signal()
                condition.unlock()
            }
        }

        func stop() {
            condition.lock()
            stopping = true
            condition.signal()
            condition.unlock()
        }

        private func loop() {
            while true {
                condition.lock()
                while job == nil, !stopping { condition.wait() }
                if stopping {
                    condition.unlock()
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
