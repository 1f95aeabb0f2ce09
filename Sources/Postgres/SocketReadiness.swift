#if canImport(Glibc)
import Glibc
#endif
import CLibPQ  // also carries <sys/epoll.h>
import Synchronization

/// Waits for sockets to become readable or writable, for every connection of the process, on one
/// thread of its own that sleeps in `epoll_wait`.
///
/// libpq's non-blocking calls never block, so they run on the caller's task; only the waiting for
/// the server is handed here. This keeps blocking work off Swift's cooperative pool and off the
/// NIO event loops without a thread per connection (figures in BENCHMARKS.md).
final class SocketReadiness: Sendable {
    struct Interest: OptionSet, Sendable {
        let rawValue: UInt32
        // EPOLLIN and EPOLLOUT (<sys/epoll.h>); Swift does not import those two names.
        static let read = Interest(rawValue: 0x001)
        static let write = Interest(rawValue: 0x004)
    }

    static let shared = SocketReadiness()

    private let epollFD: Int32
    /// One waiting task per socket at most: a connection is used by one task at a time.
    private let waiters = Mutex<[Int32: Waiter]>([:])
    private let nextToken = Atomic<UInt64>(0)

    private struct Waiter: Sendable {
        let token: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epollFD >= 0, "epoll_create1 failed: errno \(errno)")
        // The thread lives as long as the process, like the shared instance that owns it.
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Box { [self] in self.run() })
        let created = pthread_create(&thread, nil, { pointer in
            let box = Unmanaged<Box>.fromOpaque(pointer!).takeRetainedValue()
            box.body()
            return nil
        }, context.toOpaque())
        precondition(created == 0, "could not start the socket readiness thread: \(created)")
        pthread_detach(thread)
    }

    /// Suspends until `socket` is ready for `interest` (or reports an error or hang-up, which the
    /// caller's next library call then discovers). Throws `CancellationError` if the task is
    /// cancelled while it waits.
    func wait(for interest: Interest, on socket: Int32) async throws {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                waiters.withLock { $0[socket] = Waiter(token: token, continuation: continuation) }
                if let error = arm(socket, interest) {
                    let waiter = waiters.withLock { $0.removeValue(forKey: socket) }
                    waiter?.continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            let waiter = waiters.withLock { waiters -> Waiter? in
                guard waiters[socket]?.token == token else { return nil }
                return waiters.removeValue(forKey: socket)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Stops watching `socket`; call before the socket is closed, since its number may be reused.
    func forget(_ socket: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, socket, nil)
        let waiter = waiters.withLock { $0.removeValue(forKey: socket) }
        waiter?.continuation.resume(throwing: CancellationError())
    }

    /// One-shot registration: each wait re-arms, so a socket nobody waits on raises no events.
    private func arm(_ socket: Int32, _ interest: Interest) -> SocketError? {
        var event = epoll_event()
        event.events = interest.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
        event.data.fd = socket
        if epoll_ctl(epollFD, EPOLL_CTL_MOD, socket, &event) == 0 { return nil }
        // Not registered yet (a new connection, or libpq opened a new socket while connecting).
        if errno == ENOENT, epoll_ctl(epollFD, EPOLL_CTL_ADD, socket, &event) == 0 { return nil }
        return SocketError(operation: "epoll_ctl", errno: errno)
    }

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        while true {
            let count = epoll_wait(epollFD, events, Int32(capacity), -1)
            if count < 0 {
                if errno == EINTR { continue }
                preconditionFailure("epoll_wait failed: errno \(errno)")
            }
            for index in 0..<Int(count) {
                let socket = events[index].data.fd
                let waiter = waiters.withLock { $0.removeValue(forKey: socket) }
                waiter?.continuation.resume()
            }
        }
    }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}

/// A failed system call, with its errno.
struct SocketError: Error, CustomStringConvertible {
    let operation: String
    let errno: Int32
    var description: String { "\(operation) failed: \(String(cString: strerror(errno)))" }
}
