import ConnectionPool
import Synchronization
import Testing

/// An in-memory connection: the pool's logic needs no server.
final class FakeConnection: PooledConnection {
    let id: Int
    let usable = Atomic<Bool>(true)
    let closed = Atomic<Bool>(false)

    init(id: Int) { self.id = id }
    var isUsable: Bool { usable.load(ordering: .relaxed) && !closed.load(ordering: .relaxed) }
    func close() { closed.store(true, ordering: .relaxed) }
    var isClosed: Bool { closed.load(ordering: .relaxed) }
}

final class FakeServer: Sendable {
    let opened = Atomic<Int>(0)
    let refusing = Atomic<Bool>(false)

    struct Refused: Error {}

    var openedCount: Int { opened.load(ordering: .relaxed) }

    func open() async throws -> FakeConnection {
        if refusing.load(ordering: .relaxed) { throw Refused() }
        return FakeConnection(id: opened.add(1, ordering: .relaxed).newValue)
    }
}

@Suite struct ConnectionPoolTests {
    let server = FakeServer()

    /// The tests of the acquire deadline pass their own; for the others it is not the subject, and
    /// a full parallel run on two cores has kept a waiter past 5 s.
    func makePool(maximum: Int, timeout: Duration = .seconds(60)) -> ConnectionPool<FakeConnection> {
        let server = self.server
        return ConnectionPool(configuration: .init(maximumConnections: maximum, acquireTimeout: timeout)) {
            try await server.open()
        }
    }

    @Test func idleConnectionIsReusedInsteadOfOpeningAnother() async throws {
        let pool = makePool(maximum: 4)
        let first = try await pool.withConnection { $0.id }
        let second = try await pool.withConnection { $0.id }
        #expect(first == second)
        #expect(server.openedCount == 1)
        #expect(pool.statistics == .init(open: 1, idle: 1, waiting: 0))
    }

    @Test func concurrentBorrowersNeverExceedTheMaximum() async throws {
        let pool = makePool(maximum: 3)
        final class Occupancy: Sendable {
            let holding = Atomic<Int>(0)
            let peak = Atomic<Int>(0)
        }
        let occupancy = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await pool.withConnection { _ in
                        let now = occupancy.holding.add(1, ordering: .relaxed).newValue
                        occupancy.peak.max(now, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(1))
                        occupancy.holding.subtract(1, ordering: .relaxed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let highest = occupancy.peak.load(ordering: .relaxed)
        #expect(highest == 3)
        #expect(server.openedCount == 3)
        #expect(pool.statistics == .init(open: 3, idle: 3, waiting: 0))
    }

    @Test func exhaustedPoolThrowsAcquireTimeout() async throws {
        let pool = makePool(maximum: 1, timeout: .milliseconds(100))
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withConnection { _ in
                for await _ in held { break }
            }
        }
        while pool.statistics.inUse == 0 { await Task.yield() }
        await #expect(throws: ConnectionPoolError.acquireTimeout(after: .zero, maximumConnections: 1)) {
            try await pool.withConnection { _ in }
        }
        release.yield()
        try await holder.value
        // The connection came back, so the next caller is served.
        try await pool.withConnection { _ in }
    }

    /// One task fails the expired waiters of the whole line: each waiter still gets its own full
    /// timeout, counted from when it joined, not the deadline of whoever joined before it; and a
    /// line that emptied starts the task again for the next waiters.
    ///
    /// No step waits for the pool to reach a state (a loaded machine may take longer than the
    /// timeout to get there): each caller's wait is measured from before it asked, so it can
    /// only be longer than its time in line.
    @Test func everyWaiterGetsItsOwnFullTimeoutWhateverHappensAheadOfIt() async throws {
        let timeout = Duration.milliseconds(300)
        let pool = makePool(maximum: 1, timeout: timeout)
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task { try await pool.withConnection { _ in for await _ in held { break } } }
        while pool.statistics.inUse == 0 { await Task.yield() }

        /// How long a caller waited before it was refused; nil when it was served.
        @Sendable func refusedAfter() async -> Duration? {
            let start = ContinuousClock.now
            do {
                try await pool.withConnection { _ in }
                return nil
            } catch {
                #expect(error as? ConnectionPoolError == .acquireTimeout(after: timeout, maximumConnections: 1))
                return ContinuousClock.now - start
            }
        }

        for round in 1...2 {
            // The second joins halfway through the first one's wait.
            let first = Task { await refusedAfter() }
            try await Task.sleep(for: .milliseconds(150))
            let second = Task { await refusedAfter() }
            let waited = [await first.value, await second.value]
            for (index, wait) in waited.enumerated() {
                let wait = try #require(wait, "round \(round), waiter \(index + 1) was served, but nobody gave the connection back")
                #expect(wait >= timeout, "round \(round), waiter \(index + 1) was refused before its own timeout, after \(wait)")
            }
            #expect(pool.statistics.waiting == 0)
        }
        #expect(pool.acquireStatistics.timeouts == 4)
        release.yield()
        try await holder.value
    }

    @Test func acquireStatisticsCountImmediateWaitedAndTimedOutAcquisitions() async throws {
        let pool = makePool(maximum: 1, timeout: .milliseconds(100))
        try await pool.withConnection { _ in }
        try await pool.withConnection { _ in }
        #expect(pool.acquireStatistics == AcquireStatistics(acquisitions: 2))

        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withConnection { _ in
                for await _ in held { break }
            }
        }
        while pool.statistics.inUse == 0 { await Task.yield() }
        await #expect(throws: ConnectionPoolError.self) { try await pool.withConnection { _ in } }
        let waiter = Task { try await pool.withConnection { _ in } }
        while pool.statistics.waiting == 0 { await Task.yield() }
        release.yield()
        try await holder.value
        try await waiter.value

        let statistics = pool.acquireStatistics
        #expect(statistics.acquisitions == 4, "two at once, the holder, and the waiter once served")
        #expect(statistics.waitedAcquisitions == 1)
        #expect(statistics.timeouts == 1)
        #expect(statistics.totalWait > .zero)
    }

    @Test func waiterIsServedWhenAConnectionComesBack() async throws {
        let pool = makePool(maximum: 1)
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withConnection { connection in
                for await _ in held { break }
                return connection.id
            }
        }
        while pool.statistics.inUse == 0 { await Task.yield() }
        let waiter = Task { try await pool.withConnection { $0.id } }
        while pool.statistics.waiting == 0 { await Task.yield() }
        release.yield()
        let first = try await holder.value
        let second = try await waiter.value
        #expect(first == second)
    }

    @Test func brokenConnectionIsClosedAndReplaced() async throws {
        let pool = makePool(maximum: 1)
        let broken = try await pool.withConnection { connection in
            connection.usable.store(false, ordering: .relaxed)
            return connection
        }
        #expect(broken.isClosed)
        let next = try await pool.withConnection { $0.id }
        #expect(next != broken.id)
        #expect(pool.statistics.open == 1)
    }

    @Test func idleConnectionThatBrokeIsNotLentOut() async throws {
        let pool = makePool(maximum: 2)
        let idle = try await pool.withConnection { $0 }
        idle.usable.store(false, ordering: .relaxed)  // the server dropped it while idle
        let next = try await pool.withConnection { $0.id }
        #expect(next != idle.id)
        #expect(idle.isClosed)
        #expect(pool.statistics.open == 1)
    }

    @Test func failedOpenFreesItsPlace() async throws {
        let pool = makePool(maximum: 1)
        server.refusing.store(true, ordering: .relaxed)
        await #expect(throws: FakeServer.Refused.self) { try await pool.withConnection { _ in } }
        #expect(pool.statistics.open == 0)
        server.refusing.store(false, ordering: .relaxed)
        try await pool.withConnection { _ in }
    }

    @Test func closedPoolFailsWaitersAndLaterCallers() async throws {
        let pool = makePool(maximum: 1)
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withConnection { connection in
                for await _ in held { break }
                return connection
            }
        }
        while pool.statistics.inUse == 0 { await Task.yield() }
        let waiter = Task { try await pool.withConnection { _ in } }
        while pool.statistics.waiting == 0 { await Task.yield() }
        pool.close()
        await #expect(throws: ConnectionPoolError.poolClosed) { try await waiter.value }
        release.yield()
        let lent = try await holder.value
        #expect(lent.isClosed, "a connection returned to a closed pool is closed")
        await #expect(throws: ConnectionPoolError.poolClosed) { try await pool.withConnection { _ in } }
    }

    @Test func cancelledWaiterLeavesTheLine() async throws {
        let pool = makePool(maximum: 1)
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task { try await pool.withConnection { _ in for await _ in held { break } } }
        while pool.statistics.inUse == 0 { await Task.yield() }
        let waiter = Task { try await pool.withConnection { _ in } }
        while pool.statistics.waiting == 0 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(pool.statistics.waiting == 0)
        release.yield()
        try await holder.value
    }

    @Test func prewarmOpensUpToTheMaximumAndLeavesThemIdle() async throws {
        let pool = makePool(maximum: 3)
        #expect(await pool.prewarm(5) == 3)
        #expect(pool.statistics == .init(open: 3, idle: 3, waiting: 0))
        #expect(server.openedCount == 3)
        // Lent without another connect.
        let id = try await pool.withConnection { $0.id }
        #expect(id <= 3)
        #expect(server.openedCount == 3)
        #expect(await pool.prewarm(3) == 0, "already warm")
    }

    @Test func prewarmStopsAtTheFirstRefusal() async throws {
        let pool = makePool(maximum: 4)
        server.refusing.store(true, ordering: .relaxed)
        #expect(await pool.prewarm(4) == 0)
        #expect(pool.statistics == .init(open: 0, idle: 0, waiting: 0))
        server.refusing.store(false, ordering: .relaxed)
        #expect(await pool.prewarm(2) == 2)
        #expect(pool.statistics.open == 2)
    }
}
