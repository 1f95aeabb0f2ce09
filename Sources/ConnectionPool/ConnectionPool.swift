import Synchronization

/// A bounded pool of connections, lent out one caller at a time.
///
/// Connections are opened lazily up to ``ConnectionPoolConfiguration/maximumConnections``.
/// A caller that finds none free waits in line (first come, first served) for at most the acquire
/// timeout. A connection that comes back broken, or is found broken while idle, is closed and its
/// place is given to the next caller, who opens a fresh one; so after a server restart the pool
/// heals by itself.
public final class ConnectionPool<Connection: PooledConnection>: Sendable {
    public typealias Factory = @Sendable () async throws -> Connection

    /// A snapshot of the pool, for metrics and health.
    public struct Statistics: Sendable, Equatable {
        /// Connections open or being opened.
        public var open: Int
        /// Open connections that nobody holds.
        public var idle: Int
        /// Callers waiting for a connection.
        public var waiting: Int
        public var inUse: Int { open - idle }

        public init(open: Int, idle: Int, waiting: Int) {
            self.open = open
            self.idle = idle
            self.waiting = waiting
        }
    }

    public let configuration: ConnectionPoolConfiguration
    private let factory: Factory
    private let state = Mutex(State())
    // Written only on the slow path (a caller that had to wait), so plain atomics suffice.
    private let waitedAcquisitions = Atomic<UInt64>(0)
    private let waitNanoseconds = Atomic<UInt64>(0)
    private let timeouts = Atomic<UInt64>(0)

    public init(configuration: ConnectionPoolConfiguration, factory: @escaping Factory) {
        self.configuration = configuration
        self.factory = factory
    }

    public var statistics: Statistics {
        state.withLock { Statistics(open: $0.open, idle: $0.idle.count, waiting: $0.waiters.count) }
    }

    public var acquireStatistics: AcquireStatistics {
        let waited = waitedAcquisitions.load(ordering: .relaxed)
        return AcquireStatistics(
            acquisitions: state.withLock { $0.immediateAcquisitions } + waited,
            waitedAcquisitions: waited,
            totalWait: .nanoseconds(waitNanoseconds.load(ordering: .relaxed)),
            timeouts: timeouts.load(ordering: .relaxed)
        )
    }

    /// Lends a connection to `body` and takes it back afterwards, whatever `body` does.
    ///
    /// Throws ``ConnectionPoolError/acquireTimeout`` when no connection becomes free in time, the
    /// factory's error when a new connection cannot be opened, or `CancellationError`.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Connection) async throws -> Result
    ) async throws -> Result {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Closes idle connections, fails waiting callers, and closes lent connections when they come
    /// back. Later calls to ``withConnection(isolation:_:)`` throw ``ConnectionPoolError/poolClosed``.
    public func close() {
        let (idle, waiters) = state.withLock { state in
            state.isClosed = true
            state.open -= state.idle.count
            defer { state.idle = []; state.waiters = [] }
            return (state.idle, state.waiters)
        }
        for connection in idle { connection.close() }
        for waiter in waiters { waiter.fail(ConnectionPoolError.poolClosed) }
    }

    /// Opens connections, one after another, until `count` are open (never more than the
    /// maximum) and leaves them idle, so that the first callers after start-up do not each wait
    /// for a connect. Stops at the first connection that cannot be opened, when callers are
    /// already waiting (they open their own), or when the pool closes. Returns how many it opened.
    @discardableResult
    public func prewarm(_ count: Int) async -> Int {
        var opened = 0
        while true {
            let permitted = state.withLock { state -> Bool in
                guard !state.isClosed, state.waiters.isEmpty,
                      state.open < min(count, configuration.maximumConnections) else { return false }
                state.open += 1
                return true
            }
            guard permitted else { return opened }
            do {
                release(try await factory())
                opened += 1
            } catch {
                openFailed()
                return opened
            }
        }
    }

    // MARK: - Acquire and release

    private func acquire() async throws -> Connection {
        var (grant, broken) = state.withLock { state in
            let immediate = state.grantImmediately(configuration.maximumConnections)
            if immediate.0 != nil { state.immediateAcquisitions &+= 1 }
            return immediate
        }
        for connection in broken { connection.close() }
        if grant == nil {
            let clock = ContinuousClock()
            let start = clock.now
            grant = try await waitForGrant()
            let waited = (clock.now - start).components
            waitNanoseconds.add(UInt64(waited.seconds) * 1_000_000_000 + UInt64(waited.attoseconds / 1_000_000_000), ordering: .relaxed)
            waitedAcquisitions.add(1, ordering: .relaxed)
        }
        switch grant! {
        case .connection(let connection):
            return connection
        case .permissionToOpen:
            do {
                return try await factory()
            } catch {
                openFailed()
                throw error
            }
        }
    }

    private func waitForGrant() async throws -> Grant {
        let id = state.withLock { state in
            defer { state.nextWaiterID &+= 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                // Between the first look and now, a connection may have come back.
                var broken: [Connection] = []
                var startReaper = false
                let result: Result<Grant, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    let grant: Grant?
                    (grant, broken) = state.grantImmediately(configuration.maximumConnections)
                    if let grant { return .success(grant) }
                    if state.isClosed { return .failure(ConnectionPoolError.poolClosed) }
                    let deadline = ContinuousClock.now.advanced(by: configuration.acquireTimeout)
                    state.waiters.append(Waiter(id: id, deadline: deadline, continuation: continuation))
                    startReaper = !state.reaperRunning
                    state.reaperRunning = true
                    return nil
                }
                for connection in broken { connection.close() }
                if startReaper { self.startReaper() }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            failWaiter(id, CancellationError())
        }
    }

    /// Fails the waiter `id` if it is still in line.
    private func failWaiter(_ id: UInt64, _ error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.fail(error)
    }

    /// Fails the waiters whose acquire timeout has passed. One task does it for the whole line
    /// while anybody waits, instead of a timer per waiter: every waiter gets the same timeout and
    /// joins at the back, so the first in line is always the next to expire, and the task sleeps
    /// until then. A waiter served before its deadline costs the task at most one idle look.
    private func startReaper() {
        let timeout = configuration.acquireTimeout
        let limit = configuration.maximumConnections
        // Nobody holds this task, so nothing cancels it: the sleep ends only at its deadline.
        Task { [weak self] in
            while let next = self?.failExpiredWaiters(timeout: timeout, limit: limit) {
                try? await Task.sleep(until: next, clock: .continuous)
            }
        }
    }

    /// Fails the waiters in line whose deadline has passed; returns the deadline of the first
    /// still waiting, or nil (and marks the reaper stopped) when nobody is left in line.
    private func failExpiredWaiters(timeout: Duration, limit: Int) -> ContinuousClock.Instant? {
        let now = ContinuousClock.now
        let (expired, next) = state.withLock { state -> ([Waiter], ContinuousClock.Instant?) in
            var expired: [Waiter] = []
            while let first = state.waiters.first, first.deadline <= now {
                expired.append(state.waiters.removeFirst())
            }
            guard let first = state.waiters.first else {
                state.reaperRunning = false
                return (expired, nil)
            }
            return (expired, first.deadline)
        }
        if !expired.isEmpty {
            timeouts.add(UInt64(expired.count), ordering: .relaxed)
            let error = ConnectionPoolError.acquireTimeout(after: timeout, maximumConnections: limit)
            for waiter in expired { waiter.fail(error) }
        }
        return next
    }

    private func release(_ connection: Connection) {
        let usable = connection.isUsableAfterUse
        let (waiter, grant, closeIt) = state.withLock { state -> (Waiter?, Grant?, Bool) in
            if state.isClosed {
                state.open -= 1
                return (nil, nil, true)
            }
            if usable {
                if state.waiters.isEmpty {
                    state.idle.append(connection)
                    return (nil, nil, false)
                }
                return (state.waiters.removeFirst(), .connection(connection), false)
            }
            // Broken: its place goes to the next caller in line, who opens a new one.
            if state.waiters.isEmpty {
                state.open -= 1
                return (nil, nil, true)
            }
            return (state.waiters.removeFirst(), .permissionToOpen, true)
        }
        if closeIt { connection.close() }
        if let waiter, let grant { waiter.grant(grant) }
    }

    /// A connection could not be opened: its place goes to the next caller in line, who tries
    /// again and, while the server stays away, gets the same error quickly instead of a timeout.
    private func openFailed() {
        let waiter = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty || state.isClosed {
                state.open -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.grant(.permissionToOpen)
    }
}

extension ConnectionPool {
    /// What a caller receives: a connection, or the right to open one within the limit.
    enum Grant: Sendable {
        case connection(Connection)
        case permissionToOpen
    }

    struct Waiter: Sendable {
        let id: UInt64
        /// When the acquire timeout fails it; waiters join in deadline order.
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Grant, any Error>

        func grant(_ grant: Grant) {
            continuation.resume(returning: grant)
        }

        func fail(_ error: any Error) {
            continuation.resume(throwing: error)
        }
    }

    struct State: ~Copyable {
        /// Most recently returned last, so the warmest connection is lent first.
        var idle: [Connection] = []
        /// Connections open or being opened; never above the maximum.
        var open = 0
        /// First come, first served, which is also deadline order.
        var waiters: [Waiter] = []
        /// Whether the task that fails expired waiters is running (see `startReaper`).
        var reaperRunning = false
        var nextWaiterID: UInt64 = 0
        var isClosed = false
        /// Grants made at the first look, without waiting in line (see ``AcquireStatistics``).
        var immediateAcquisitions: UInt64 = 0

        /// Lends an idle connection or grants the right to open one, if either is possible now;
        /// also returns idle connections found broken, which the caller closes outside the lock.
        mutating func grantImmediately(_ maximum: Int) -> (Grant?, [Connection]) {
            var broken: [Connection] = []
            if isClosed { return (nil, broken) }
            while let connection = idle.popLast() {
                if connection.isUsable { return (.connection(connection), broken) }
                open -= 1
                broken.append(connection)
            }
            if open < maximum, waiters.isEmpty {
                open += 1
                return (.permissionToOpen, broken)
            }
            return (nil, broken)
        }
    }
}
