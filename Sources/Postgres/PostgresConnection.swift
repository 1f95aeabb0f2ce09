#if canImport(Glibc)
import Glibc
#endif
import CLibPQ
import ConnectionPool
import Logging

/// One libpq connection in non-blocking mode. Every statement goes out in pipeline mode with its
/// Prepare (the first time on this connection) and a single Sync, so it costs one round trip, and
/// a batch of statements runs as one implicit transaction in one round trip.
///
/// Not for concurrent use: the pool lends a connection to one task at a time. libpq needs serial
/// access, not a fixed thread, so the holder may move between threads across suspension points;
/// the continuation resumes establish the ordering. That confinement is what makes it Sendable.
public final class PostgresConnection: PooledConnection, @unchecked Sendable {
    /// Statements prepared per connection at most; beyond it, statements run unnamed.
    static let preparedStatementLimit = 512

    private let connection: OpaquePointer
    private let socket: Int32
    private let logger: Logger
    /// SQL text → name of the server-side prepared statement.
    private var prepared: [String: String] = [:]
    private var broken = false
    private var closed = false

    private init(connection: OpaquePointer, socket: Int32, logger: Logger) {
        self.connection = connection
        self.socket = socket
        self.logger = logger
    }

    deinit { close() }

    /// Opens a connection; throws ``PostgresError`` with kind `connectionFailed` when the server
    /// cannot be reached or refuses, or does not answer within the configuration's connect timeout.
    public static func connect(
        configuration: PostgresConfiguration,
        logger: Logger = Logger(label: "postgres")
    ) async throws -> PostgresConnection {
        let timeout = configuration.connectTimeout
        do {
            return try await withThrowingTaskGroup(of: PostgresConnection?.self) { group in
                group.addTask { try await start(configuration, logger: logger) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let connection = try await group.next()! else {
                    throw PostgresError(.connectionFailed, "no answer from \(configuration.redactedURL) within \(timeout)")
                }
                return connection
            }
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(.connectionFailed, "connecting to \(configuration.redactedURL) was abandoned: \(error)")
        }
    }

    private static func start(_ configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresConnection {
        let keywords = ["dbname", "application_name", "client_encoding"]
        let values = [configuration.url, configuration.applicationName, "UTF8"]
        let started: OpaquePointer? = keywords.withCStringArray { keywordPointers in
            values.withCStringArray { valuePointers in
                // expand_dbname = 1: the URL in dbname supplies host, port, user, password.
                PQconnectStartParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection = started else {
            throw PostgresError(.connectionFailed, "libpq could not allocate a connection")
        }
        func fail(_ reason: String) -> PostgresError {
            let socket = PQsocket(connection)
            if socket >= 0 { SocketReadiness.shared.forget(socket) }
            PQfinish(connection)
            return PostgresError(.connectionFailed, "\(configuration.redactedURL): \(reason)")
        }
        var status = PGRES_POLLING_WRITING
        while true {
            if PQstatus(connection) == CONNECTION_BAD || status == PGRES_POLLING_FAILED {
                throw fail(String(cString: PQerrorMessage(connection)).trimmingWhitespace())
            }
            if status == PGRES_POLLING_OK { break }
            do {
                // libpq may open a new socket per address it tries, so ask for it every time.
                try await SocketReadiness.shared.wait(
                    for: status == PGRES_POLLING_READING ? .read : .write,
                    on: PQsocket(connection)
                )
            } catch {
                throw fail("connecting was cancelled")
            }
            status = PQconnectPoll(connection)
        }
        guard PQsetnonblocking(connection, 1) == 0 else {
            throw fail(String(cString: PQerrorMessage(connection)).trimmingWhitespace())
        }
        // libpq prints NOTICEs ("relation ... already exists, skipping") to stderr by default,
        // which would interleave with the process's structured logs; they carry nothing we act on.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return PostgresConnection(connection: connection, socket: PQsocket(connection), logger: logger)
    }

    // MARK: - Statements

    /// Runs one statement in one round trip.
    public func query(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        try await pipeline([query])[0]
    }

    /// Runs the statements in one round trip, as one implicit transaction: either all take effect
    /// or, when one fails, none does and its error is thrown.
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresQueryResult] {
        try checkOpen()
        do {
            return try await runPipeline(queries)
        } catch let error as PostgresError where error.kind == .server || error.kind == .invalidParameter {
            throw error
        } catch {
            // Anything but the server's own error leaves the protocol state unknown.
            broken = true
            throw translate(error)
        }
    }

    /// Runs SQL text that may hold several statements and no parameters (migrations, DDL), with
    /// the simple query protocol.
    public func execute(script sql: String) async throws {
        try checkOpen()
        do {
            guard PQsendQuery(connection, sql) == 1 else { throw connectionError() }
            try await flush()
            var firstError: PostgresError?
            while let result = try await nextResult() {
                if PQresultStatus(result) == PGRES_FATAL_ERROR, firstError == nil {
                    firstError = serverError(result)
                }
                PQclear(result)
            }
            if let firstError { throw firstError }
        } catch let error as PostgresError where error.kind == .server {
            throw error
        } catch {
            broken = true
            throw translate(error)
        }
    }

    // MARK: - Notifications

    /// Waits for the notifications of the channels this connection listens to (`LISTEN`, by
    /// ``execute(script:)``) and returns those that have arrived, in the order PostgreSQL sent
    /// them (commit order). For a connection of its own: nothing else may run on it meanwhile.
    /// Throws when the connection breaks, or when the waiting task is cancelled.
    public func notifications() async throws -> [PostgresNotification] {
        try checkOpen()
        while true {
            var arrived: [PostgresNotification] = []
            while let notification = PQnotifies(connection) {
                arrived.append(PostgresNotification(
                    channel: String(cString: notification.pointee.relname),
                    payload: String(cString: notification.pointee.extra),
                    processID: notification.pointee.be_pid
                ))
                PQfreemem(notification)
            }
            if !arrived.isEmpty { return arrived }
            do {
                try await SocketReadiness.shared.wait(for: .read, on: socket)
            } catch {
                broken = true
                throw translate(error)
            }
            guard PQconsumeInput(connection) == 1, PQstatus(connection) == CONNECTION_OK else { throw connectionError() }
        }
    }

    // MARK: - PooledConnection

    /// False once the connection broke. An idle connection that the server has closed (a
    /// terminated backend, a restart) is found here, before the pool lends it out again.
    public var isUsable: Bool {
        if broken || closed || PQstatus(connection) != CONNECTION_OK { return false }
        // An idle connection has nothing to read unless the server spoke first: a FATAL
        // notice before it closes, or the close itself.
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, 0) > 0 {
            if PQconsumeInput(connection) == 0 || PQstatus(connection) != CONNECTION_OK {
                broken = true
                return false
            }
            if descriptor.revents & Int16(POLLHUP | POLLERR) != 0 { break }
        }
        return true
    }

    /// What the connection knows without asking the socket: it just finished a round trip, or
    /// found out it broke. (``isUsable`` polls the socket, and runs before the next lending.)
    public var isUsableAfterUse: Bool {
        !broken && !closed && PQstatus(connection) == CONNECTION_OK
    }

    public func close() {
        guard !closed else { return }
        closed = true
        SocketReadiness.shared.forget(socket)
        PQfinish(connection)
    }

    // MARK: - Pipeline mechanics

    private enum Expected {
        case prepare(sql: String, name: String)
        case statement
    }

    private func runPipeline(_ queries: [PostgresQuery]) async throws -> [PostgresQueryResult] {
        guard PQenterPipelineMode(connection) == 1 else { throw connectionError() }
        var expected: [Expected] = []
        expected.reserveCapacity(queries.count * 2)
        // Statements first seen in this batch: prepared in it, named in `prepared` once it succeeds.
        var preparing: [String: String] = [:]
        for query in queries {
            if query.binds.contains(where: { $0.text?.utf8.contains(0) == true }) {
                // libpq sends text parameters NUL-terminated, and PostgreSQL text cannot hold NUL.
                _ = PQexitPipelineMode(connection)
                throw PostgresError(.invalidParameter, "a parameter of \"\(query.sql.prefix(60))\" contains a NUL character")
            }
            var name = prepared[query.sql] ?? preparing[query.sql]
            if name == nil, prepared.count + preparing.count < Self.preparedStatementLimit {
                let fresh = "s\(prepared.count + preparing.count)"
                // nParams 0: the server infers every parameter's type from the statement.
                guard PQsendPrepare(connection, fresh, query.sql, 0, nil) == 1 else { throw connectionError() }
                expected.append(.prepare(sql: query.sql, name: fresh))
                preparing[query.sql] = fresh
                name = fresh
            }
            let sent = query.binds.withTextParameters { count, values in
                if let name {
                    // resultFormat 1: binary results, decoded without parsing text.
                    PQsendQueryPrepared(connection, name, count, values, nil, nil, 1)
                } else {
                    PQsendQueryParams(connection, query.sql, count, nil, values, nil, nil, 1)
                }
            }
            guard sent == 1 else { throw connectionError() }
            expected.append(.statement)
        }
        guard PQpipelineSync(connection) == 1 else { throw connectionError() }
        try await flush()

        var results: [PostgresQueryResult] = []
        results.reserveCapacity(queries.count)
        var firstError: PostgresError?
        for step in expected {
            guard let result = try await nextResult() else { throw protocolViolation("a result is missing") }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                switch step {
                case .prepare(let sql, let name):
                    prepared[sql] = name
                    PQclear(result)
                case .statement:
                    results.append(PostgresQueryResult(ResultStorage(result)))
                }
            case PGRES_FATAL_ERROR:
                if firstError == nil { firstError = serverError(result) }
                PQclear(result)
            case PGRES_PIPELINE_ABORTED:
                PQclear(result)
            default:
                let status = String(cString: PQresStatus(PQresultStatus(result)))
                PQclear(result)
                throw protocolViolation("unexpected result \(status)")
            }
            // Each statement's results end with a NULL.
            if let extra = try await nextResult() {
                PQclear(extra)
                throw protocolViolation("more than one result for a statement")
            }
        }
        guard let sync = try await nextResult(), PQresultStatus(sync) == PGRES_PIPELINE_SYNC else {
            throw protocolViolation("the pipeline did not end with its Sync")
        }
        PQclear(sync)
        guard PQexitPipelineMode(connection) == 1 else { throw connectionError() }
        if let firstError { throw firstError }
        return results
    }

    /// Sends what libpq has buffered, waiting for the socket when the kernel's buffer is full
    /// (reading meanwhile, as libpq asks, so the server is never stuck on a full buffer of ours).
    private func flush() async throws {
        while true {
            switch PQflush(connection) {
            case 0: return
            case 1:
                try await SocketReadiness.shared.wait(for: [.read, .write], on: socket)
                guard PQconsumeInput(connection) == 1 else { throw connectionError() }
            default: throw connectionError()
            }
        }
    }

    /// The next result, waiting for the server as long as libpq is busy; nil ends a statement.
    ///
    /// Before parking on the readiness thread, the task yields once and tries a non-blocking
    /// read: under load the answer has usually arrived by the time the other tasks have run, and
    /// that saves two thread wake-ups per statement (measured: BENCHMARKS.md). When idle, it
    /// costs one read that finds nothing.
    private func nextResult() async throws -> OpaquePointer? {
        var yielded = false
        while PQisBusy(connection) == 1 {
            if yielded {
                try await SocketReadiness.shared.wait(for: .read, on: socket)
            } else {
                await Task.yield()
                yielded = true
            }
            guard PQconsumeInput(connection) == 1 else { throw connectionError() }
        }
        return PQgetResult(connection)
    }

    // MARK: - Errors

    private func checkOpen() throws {
        guard !closed, !broken else { throw PostgresError(.connectionClosed, "the connection is closed") }
    }

    private func connectionError() -> PostgresError {
        broken = true
        let message = String(cString: PQerrorMessage(connection)).trimmingWhitespace()
        return PostgresError(.connectionClosed, message.isEmpty ? "the connection broke" : message)
    }

    private func protocolViolation(_ message: String) -> PostgresError {
        broken = true
        return PostgresError(.protocolViolation, message)
    }

    private func translate(_ error: any Error) -> PostgresError {
        if let error = error as? PostgresError { return error }
        if error is CancellationError {
            return PostgresError(.cancelled, "the statement was abandoned because its task was cancelled")
        }
        return PostgresError(.connectionClosed, "\(error)")
    }

    private func serverError(_ result: OpaquePointer) -> PostgresError {
        // The PG_DIAG_* field codes of <postgres_ext.h>: character macros Swift does not import.
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        return PostgresError(server: .init(
            sqlState: SQLState(field("C") ?? "XX000"),
            severity: field("V") ?? field("S") ?? "ERROR",
            message: field("M") ?? "unknown error",
            detail: field("D"),
            hint: field("H"),
            constraint: field("n"),
            table: field("t"),
            column: field("c")
        ))
    }
}

/// A notification of a channel the connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let processID: Int32
}

extension Array where Element == String {
    /// Calls `body` with a NULL-terminated array of C strings, valid only during the call.
    func withCStringArray<Result>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
        let duplicates = map { strdup($0) }
        defer { duplicates.forEach { free($0) } }
        let pointers = duplicates.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Array where Element == PostgresBind {
    /// Lays the parameters out as NUL-terminated text in one buffer and calls `body` with
    /// libpq's `paramValues` array (NULL entries for SQL NULL).
    func withTextParameters<Result>(
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Result
    ) -> Result {
        if isEmpty { return body(0, nil) }
        var buffer: [CChar] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(count)
        for bind in self {
            guard let text = bind.text else {
                offsets.append(nil)
                continue
            }
            offsets.append(buffer.count)
            text.utf8CString.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
        }
        return buffer.withUnsafeBufferPointer { storage in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in offset.map { storage.baseAddress! + $0 } }
            return pointers.withUnsafeBufferPointer { body(Int32(count), $0.baseAddress) }
        }
    }
}
