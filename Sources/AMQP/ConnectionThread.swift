#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// The one thread on which every rabbitmq-c call of a connection runs (rabbitmq-c connection
/// state is not thread-safe, and its calls block). Callers submit jobs; the thread runs them in
/// order, and in between sleeps in poll(2) on both the broker socket and a wake-up pipe, so a
/// job starts at once (no polling delay) and incoming frames are read as soon as they arrive.
final class ConnectionThread: @unchecked Sendable {
    // @unchecked: `queue` is guarded by its Mutex; `wakeRead`/`wakeWrite` are immutable file
    // descriptors (written by any thread, read only by the connection thread), and the
    // WireConnection is created and used on the connection thread only.
    typealias Job = @Sendable (WireConnection) -> Void

    private struct Queue {
        var jobs: [Job] = []
        /// Set once by the thread when it leaves its loop; no job is accepted after that.
        var stopped = false
        /// A byte sits in the pipe already; saves a write per job under load.
        var wakePending = false
    }

    private let queue = Mutex(Queue())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    let name: String

    init(name: String) {
        var fds: [Int32] = [-1, -1]
        let status = pipe(&fds)
        precondition(status == 0, "pipe() failed: errno \(errno)")
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.name = name
    }

    /// Starts the thread: `open` runs on it and creates the connection; `opened` learns the
    /// outcome (on the thread). Without a connection the thread ends at once.
    func start(
        open: @escaping @Sendable () throws(AMQPError) -> WireConnection,
        opened: @escaping @Sendable (Result<Void, AMQPError>) -> Void
    ) {
        let thread = Thread { [self] in
            let wire: WireConnection
            switch Result<WireConnection, AMQPError>(catching: open) {
            case .success(let opened): wire = opened
            case .failure(let error):
                finish(wire: nil)
                opened(.failure(error))
                return
            }
            opened(.success(()))
            runLoop(wire)
        }
        thread.name = name
        thread.start()
    }

    /// Queues a job; false if the thread has ended (the connection is closed).
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        let (accepted, mustWake): (Bool, Bool) = queue.withLock { queue in
            guard !queue.stopped else { return (false, false) }
            queue.jobs.append(job)
            let mustWake = !queue.wakePending
            queue.wakePending = true
            return (true, mustWake)
        }
        if mustWake {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        return accepted
    }

    private func runLoop(_ wire: WireConnection) {
        while true {
            let jobs = queue.withLock { queue in
                defer { queue.jobs.removeAll(keepingCapacity: true) }
                return queue.jobs
            }
            for job in jobs { job(wire) }
            guard wire.isOpen else { break }
            wire.readAvailableFrames()
            guard wire.isOpen else { break }
            waitForWork(socket: wire.socketDescriptor, timeoutMilliseconds: wire.idleTickMilliseconds)
        }
        finish(wire: wire)
    }

    /// Stops accepting jobs, then runs the ones accepted before that against the closed
    /// connection, so that every submitted job runs exactly once (and resumes its continuation).
    private func finish(wire: WireConnection?) {
        let leftover = queue.withLock { queue in
            queue.stopped = true
            defer { queue.jobs.removeAll() }
            return queue.jobs
        }
        if let wire { for job in leftover { job(wire) } }
    }

    deinit {
        // Closed here, not when the loop ends: a submitter accepted just before the stop may
        // still write its wake-up byte, and a closed descriptor number could be reused meanwhile.
        close(wakeRead)
        close(wakeWrite)
    }

    private func waitForWork(socket: Int32, timeoutMilliseconds: Int32) {
        if queue.withLock({ !$0.jobs.isEmpty }) { return }
        var fds = [
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
        ]
        _ = poll(&fds, nfds_t(socket >= 0 ? 2 : 1), timeoutMilliseconds)
        if fds[0].revents != 0 {
            // Drain first, then clear: cleared first, a byte written in between would be
            // drained while the flag says "pending", and the next job would not wake us.
            var sink = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &sink, sink.count) > 0 {}
            queue.withLock { $0.wakePending = false }
        }
    }
}
