import NIOCore

/// Sends a run's requests over the connections of one event loop, in a closed or an open loop,
/// and keeps that loop's statistics. Driven entirely by the loop's callbacks (no task hop per
/// request), so the generator costs little next to the server it measures. Confined to `loop`.
final class LoopDriver {
    private final class Slot {
        var connection: HTTPConnection?
        var inFlight: InFlight?
    }

    private struct InFlight {
        var request: BenchRequest
        var intendedStart: UInt64
        /// Nil while the slot is still connecting for it.
        var sentAt: UInt64?
    }

    private struct Scheduled {
        var number: Int
        var intendedStart: UInt64
    }

    private let loop: any EventLoop
    private let plan: LoadPlan
    private let loopIndex: Int
    private let workload: any Workload
    private let counters: LiveCounters
    private let slots: [Slot]
    private var idle: [Slot] = []
    /// Open loop: requests whose start time has come but that wait for a free connection (FIFO).
    private var backlog: [Scheduled] = []
    private var backlogHead = 0
    private var statistics = LoadStatistics()
    private var start: UInt64 = 0
    private var issuing = true
    private var nextScheduledNumber = 0
    private var finished: EventLoopPromise<LoadStatistics>?

    init(loop: any EventLoop, plan: LoadPlan, loopIndex: Int, workload: any Workload, counters: LiveCounters) {
        self.loop = loop
        self.plan = plan
        self.loopIndex = loopIndex
        self.workload = workload
        self.counters = counters
        slots = (0..<plan.connections(onLoop: loopIndex)).map { _ in Slot() }
    }

    private static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
    private var stopIssuingAt: UInt64 { start + UInt64(plan.seconds) * 1_000_000_000 }
    private var abandonAt: UInt64 { stopIssuingAt + UInt64(plan.requestTimeout.nanoseconds) }

    /// Opens this loop's connections before the clock starts; fails if one cannot be opened.
    func connect() -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        var remaining = slots.count
        var failed = false
        if remaining == 0 { promise.succeed() }
        for slot in slots {
            HTTPConnection.connect(to: plan.target, on: loop) { result in
                switch result {
                case .success(let connection):
                    slot.connection = connection
                    remaining -= 1
                    if remaining == 0, !failed { promise.succeed() }
                case .failure(let error):
                    if !failed { promise.fail(error) }
                    failed = true
                }
            }
        }
        return promise.futureResult
    }

    /// Runs the load from `start` (monotonic nanoseconds, shared by every loop of the run) until
    /// the budget or the time is spent and every request has its answer or its error.
    func run(startingAt start: UInt64) -> EventLoopFuture<LoadStatistics> {
        self.start = start
        let promise = loop.makePromise(of: LoadStatistics.self)
        finished = promise
        loop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(start)) { self.begin() }
        scheduleSweep()
        return promise.futureResult
    }

    private func begin() {
        switch plan.mode {
        case .closed:
            for slot in slots { next(on: slot) }
        case .open:
            idle = slots
            nextScheduledNumber = OpenLoopSchedule.firstNumber(atOrAfter: 0, loop: loopIndex, of: plan.threads)
            tick()
        }
    }

    /// Open loop: queues every request whose start time has come, hands them to free connections,
    /// and sets the timer for the next one.
    private func tick() {
        guard case .open(let schedule) = plan.mode, issuing else { return }
        let due = schedule.due(atElapsed: Int64(Self.now()) - Int64(start))
        while nextScheduledNumber < due {
            backlog.append(Scheduled(
                number: nextScheduledNumber, intendedStart: start + UInt64(schedule.offset(of: nextScheduledNumber))
            ))
            nextScheduledNumber += plan.threads
        }
        while !idle.isEmpty, let item = takeFromBacklog() {
            dispatch(workload.request(number: item.number), intendedStart: item.intendedStart, on: idle.removeLast())
        }
        if nextScheduledNumber < schedule.count {
            let at = start + UInt64(schedule.offset(of: nextScheduledNumber))
            loop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(at)) { self.tick() }
        } else {
            issuing = false
            finishIfDone()
        }
    }

    private func takeFromBacklog() -> Scheduled? {
        guard backlogHead < backlog.count else { return nil }
        let item = backlog[backlogHead]
        backlogHead += 1
        if backlogHead == backlog.count {
            backlog.removeAll(keepingCapacity: true)
            backlogHead = 0
        } else if backlogHead >= 4096, backlogHead * 2 >= backlog.count {
            backlog.removeFirst(backlogHead)
            backlogHead = 0
        }
        return item
    }

    /// A connection is free: closed loop, it sends the next request at once; open loop, it takes
    /// the oldest waiting one, or waits for the schedule.
    private func next(on slot: Slot) {
        switch plan.mode {
        case .closed(let budget):
            let now = Self.now()
            if issuing, now < stopIssuingAt, let number = budget.claim() {
                dispatch(workload.request(number: number), intendedStart: now, on: slot)
                return
            }
            issuing = false
        case .open:
            if let item = takeFromBacklog() {
                dispatch(workload.request(number: item.number), intendedStart: item.intendedStart, on: slot)
                return
            }
        }
        idle.append(slot)
        finishIfDone()
    }

    private func dispatch(_ request: BenchRequest, intendedStart: UInt64, on slot: Slot) {
        if let connection = slot.connection, connection.isUsable {
            let now = Self.now()
            statistics.noteSent(at: now)
            slot.inFlight = InFlight(request: request, intendedStart: intendedStart, sentAt: now)
            connection.send(request) { result in self.answered(result, on: slot) }
            return
        }
        // The server closed the connection (or a timeout did): the request waits for a new one,
        // and the wait counts in its latency.
        slot.connection = nil
        slot.inFlight = InFlight(request: request, intendedStart: intendedStart, sentAt: nil)
        HTTPConnection.connect(to: plan.target, on: loop) { result in
            slot.inFlight = nil
            switch result {
            case .success(let connection):
                slot.connection = connection
                self.dispatch(request, intendedStart: intendedStart, on: slot)
            case .failure:
                self.statistics.connectFailures += 1
                self.counters.transportError()
                if Self.now() < self.abandonAt {
                    slot.inFlight = InFlight(request: request, intendedStart: intendedStart, sentAt: nil)
                    self.loop.assumeIsolated().scheduleTask(in: .milliseconds(100)) {
                        slot.inFlight = nil
                        self.dispatch(request, intendedStart: intendedStart, on: slot)
                    }
                } else {
                    self.answered(.failure(.connectFailed), for: request, on: slot)
                }
            }
        }
    }

    private func answered(_ result: Result<BenchResponse, TransportError>, on slot: Slot) {
        guard let inFlight = slot.inFlight else { return }
        slot.inFlight = nil
        let now = Self.now()
        switch result {
        case .success(let response):
            let outcome = workload.judge(response, to: inFlight.request)
            let latency = now > inFlight.intendedStart ? (now - inFlight.intendedStart) / 1_000 : 0
            statistics.record(inFlight.request.operation, outcome, microseconds: latency, at: now)
            counters.answered(failed: !outcome.expected)
        case .failure(let error):
            answered(.failure(error), for: inFlight.request, on: nil)
        }
        next(on: slot)
    }

    /// A request that got no answer: counted by reason, and forgotten by the workload.
    private func answered(_ failure: Result<BenchResponse, TransportError>, for request: BenchRequest, on slot: Slot?) {
        guard case .failure(let error) = failure else { return }
        statistics.record(request.operation, error, at: Self.now())
        counters.transportError()
        workload.lost(request)
        if let slot { next(on: slot) }
    }

    /// Every 100 ms: closes connections whose request is past its timeout, and after the hard stop
    /// drops what is still queued.
    private func scheduleSweep() {
        loop.assumeIsolated().scheduleTask(in: .milliseconds(100)) {
            guard self.finished != nil else { return }
            let now = Self.now()
            for slot in self.slots {
                if let sentAt = slot.inFlight?.sentAt, now - sentAt > UInt64(self.plan.requestTimeout.nanoseconds) {
                    slot.connection?.close(failingWith: .timedOut)
                }
            }
            if now >= self.abandonAt { self.abandonBacklog() }
            self.scheduleSweep()
        }
    }

    private func abandonBacklog() {
        issuing = false
        while let item = takeFromBacklog() {
            answered(.failure(.abandoned), for: workload.request(number: item.number), on: nil)
        }
        finishIfDone()
    }

    private func finishIfDone() {
        guard !issuing, backlogHead == backlog.count, slots.allSatisfy({ $0.inFlight == nil }),
            let finished
        else { return }
        self.finished = nil
        for slot in slots { slot.connection?.close() }
        finished.succeed(statistics)
    }
}
