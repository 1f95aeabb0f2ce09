import ConnectionPool
import Synchronization

/// A few connections that every caller uses at once: commands from many tasks go out on the same
/// socket, are written together when they reach its event loop together, and are answered in
/// order. Redis runs one command at a time whatever the number of sockets, so sharing costs no
/// parallelism; it saves a read and a write system call per command on both sides (figures in
/// README, "Where the time goes").
///
/// Callers are spread over the connections in turn. A connection found broken is replaced by
/// the next caller that picks its place; callers that arrive while it is being opened wait for
/// that one opening instead of starting their own.
final class SharedConnections: Sendable {
    typealias Factory = @Sendable () async throws -> RedisConnection

    private let places: [Place]
    private let next = Atomic<Int>(0)
    private let factory: Factory

    init(count: Int, factory: @escaping Factory) {
        precondition(count > 0, "sharing needs at least one connection")
        self.places = (0..<count).map { _ in Place() }
        self.factory = factory
    }

    /// A usable connection, opened first if its place has none. Throws the factory's error when
    /// it cannot be opened, and ``ConnectionPoolError/poolClosed`` after ``close()``.
    func connection() async throws -> RedisConnection {
        let index = next.add(1, ordering: .relaxed).oldValue % places.count
        return try await places[index].connection(factory)
    }

    /// Connections open or being opened.
    var open: Int { places.reduce(0) { $0 + $1.openCount } }

    /// Closes every connection; commands in flight fail, later calls throw ``ConnectionPoolError/poolClosed``.
    func close() {
        for place in places { place.close() }
    }

    /// One connection's place: empty, being opened, or holding a connection.
    private final class Place: Sendable {
        private enum State {
            case empty
            case opening(Task<RedisConnection, any Error>)
            case ready(RedisConnection)
            case closed
        }

        private enum Step {
            case use(RedisConnection)
            case await(Task<RedisConnection, any Error>)
        }

        private let state = Mutex(State.empty)

        var openCount: Int {
            state.withLock { state in
                switch state {
                case .opening: 1
                case .ready(let connection): connection.isUsable ? 1 : 0
                case .empty, .closed: 0
                }
            }
        }

        func connection(_ factory: @escaping Factory) async throws -> RedisConnection {
            var broken: RedisConnection?
            let step = try state.withLock { state throws -> Step in
                switch state {
                case .ready(let connection) where connection.isUsable:
                    return .use(connection)
                case .opening(let opening):
                    return .await(opening)
                case .closed:
                    throw ConnectionPoolError.poolClosed
                case .empty, .ready:
                    if case .ready(let connection) = state { broken = connection }
                    // Unstructured on purpose: the opening must not be cancelled with the caller
                    // who happened to start it, since others wait for it too.
                    let opening = Task { try await factory() }
                    state = .opening(opening)
                    return .await(opening)
                }
            }
            broken?.close()
            switch step {
            case .use(let connection):
                return connection
            case .await(let opening):
                do {
                    let connection = try await opening.value
                    let closed = state.withLock { state -> Bool in
                        switch state {
                        case .opening(let current) where current == opening:
                            state = .ready(connection)
                            return false
                        case .closed:
                            return true
                        default:
                            return false
                        }
                    }
                    if closed {
                        connection.close()
                        throw ConnectionPoolError.poolClosed
                    }
                    return connection
                } catch {
                    // The next caller tries again; this one reports why it could not.
                    state.withLock { state in
                        if case .opening(let current) = state, current == opening { state = .empty }
                    }
                    throw error
                }
            }
        }

        func close() {
            let previous = state.withLock { state -> State in
                defer { state = .closed }
                return state
            }
            if case .ready(let connection) = previous { connection.close() }
            // An opening in progress finds `.closed` when it finishes and closes its connection.
        }
    }
}
