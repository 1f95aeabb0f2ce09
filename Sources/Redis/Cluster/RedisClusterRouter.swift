import ConnectionPool
import Logging
import Synchronization

/// What a cluster client has done besides sending commands, since it started.
public struct RedisClusterStatistics: Sendable, Equatable {
    /// `MOVED` replies followed: a slot had a new owner.
    public var moved = 0
    /// `ASK` replies followed: a key of a slot being migrated was already on the new owner.
    public var asked = 0
    /// Full reads of the slot map (`CLUSTER SLOTS`), the first one included.
    public var refreshes = 0
    /// Commands sent again after their node could not be reached, or after `TRYAGAIN` or
    /// `CLUSTERDOWN`, each time.
    public var retries = 0
}

/// The cluster side of ``RedisClient``: the slot map, shared connections per node, and the
/// redirects.
///
/// A command goes to the primary that the map names for its slot, on that node's shared
/// connections (so commands of many callers to one node leave in one write, as for a standalone
/// server). `MOVED` updates the map for that slot at once and reads the whole map again in the
/// background; `ASK` sends the one command to the named node after `ASKING`, in the same write.
/// A node that cannot be reached (a primary killed, before its replica has taken over), and
/// `TRYAGAIN` or `CLUSTERDOWN` answers, make the command wait a little, read the map again and
/// retry, until ``RedisConfiguration/commandTimeout`` has passed since it started. A command that
/// was written and whose connection then closed is not retried: the node may have run it.
final class RedisClusterRouter: Sendable {
    typealias Node = RedisClusterSlotMap.Node

    /// What runs on a node: a command, or a script by its digest.
    enum Operation: Sendable {
        case command(RedisCommand)
        case script(RedisScript, keys: [RedisArgument], arguments: [RedisArgument])

        func run(on connection: RedisConnection, asking: Bool) async throws -> RedisValue {
            let command: RedisCommand
            switch self {
            case .command(let plain):
                guard asking else { return try await connection.send(plain) }
                command = plain
            case .script(let script, let keys, let arguments):
                guard asking else { return try await connection.evaluate(script, keys: keys, arguments: arguments) }
                // With its source: the importing node may not know the digest yet, and ASKING
                // lets only the next one command through.
                command = RedisCommand(arguments: ["EVAL", .string(script.source), .integer(keys.count)] + keys + arguments)
            }
            let replies = try await connection.pipeline([["ASKING"], command])
            if case .error(let error) = replies[1] { throw error }
            return replies[1]
        }
    }

    private struct State {
        var map: RedisClusterSlotMap?
        var nodes: [Node: SharedConnections] = [:]
        var refreshing: Task<RedisClusterSlotMap, any Error>?
        var lastRefresh: ContinuousClock.Instant?
        var statistics = RedisClusterStatistics()
        var closed = false
    }

    /// Redirects one command may follow before its last answer is returned as it is.
    static let maximumRedirects = 5

    private let configuration: RedisConfiguration
    private let logger: Logger
    private let state = Mutex(State())

    init(configuration: RedisConfiguration, logger: Logger) {
        precondition(configuration.isCluster, "a cluster router needs the cluster's seeds")
        self.configuration = configuration
        self.logger = logger
    }

    var statistics: RedisClusterStatistics { state.withLock { $0.statistics } }
    var slotMap: RedisClusterSlotMap? { state.withLock { $0.map } }
    var open: Int { state.withLock { $0.nodes.values.reduce(0) { $0 + $1.open } } }

    func close() {
        let nodes = state.withLock { state in
            state.closed = true
            state.refreshing?.cancel()
            return Array(state.nodes.values)
        }
        for node in nodes { node.close() }
    }

    // MARK: Commands

    /// Runs `operation` on the primary of `slot` (any primary for nil), following redirects.
    func run(_ operation: Operation, slot: Int?) async throws -> RedisValue {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.commandTimeout
        var map = try await currentMap()
        var target = Self.node(for: slot, in: map)
        var asking = false
        var redirects = 0
        var pause = Duration.milliseconds(25)
        while true {
            do {
                guard let node = target else {
                    // No node serves the slot: a failover is under way.
                    throw RedisServerError(code: "CLUSTERDOWN", message: "no node of the slot map serves slot \(slot ?? -1)")
                }
                return try await operation.run(on: try await connection(to: node), asking: asking)
            } catch let error as RedisServerError {
                if let redirect = RedisClusterRedirect(error), redirects < Self.maximumRedirects, let node = target {
                    redirects += 1
                    let next = Node(host: redirect.host.isEmpty ? node.host : redirect.host, port: redirect.port)
                    switch redirect.kind {
                    case .moved:
                        map = learn(slot: redirect.slot, at: next)
                        asking = false
                    case .ask:
                        state.withLock { $0.statistics.asked += 1 }
                        asking = true
                    }
                    target = next
                    continue
                }
                guard ["TRYAGAIN", "CLUSTERDOWN"].contains(error.code), clock.now + pause < deadline else { throw error }
            } catch let error as RedisError where error.code == .connectionFailed || error.wasNotSent {
                // The node is down or gone: its replica takes its slots within the cluster's node
                // timeout and an election.
                guard clock.now + pause < deadline else { throw error }
            }
            state.withLock { $0.statistics.retries += 1 }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(200))
            map = (try? await refreshed()) ?? map
            target = Self.node(for: slot, in: map)
            asking = false
        }
    }

    /// Commands in one write per node, the nodes at once; replies in the order of `commands`.
    /// Commands for one node keep their order; commands for different nodes have none among them.
    /// A command redirected, or whose node could not be reached, is sent again alone.
    func pipeline(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        let slots = try commands.map(RedisCommandKeys.slot(of:))
        let map = try await currentMap()
        var groups: [Node: [Int]] = [:]
        for (index, slot) in slots.enumerated() {
            // A slot no node serves stays without a reply here and is retried alone below.
            if let node = Self.node(for: slot, in: map) { groups[node, default: []].append(index) }
        }
        var results = [RedisValue?](repeating: nil, count: commands.count)
        try await withThrowingTaskGroup(of: [(Int, RedisValue)].self) { group in
            for (node, indices) in groups {
                group.addTask {
                    do {
                        let replies = try await self.connection(to: node).pipeline(indices.map { commands[$0] })
                        return Array(zip(indices, replies))
                    } catch let error as RedisError where error.code == .connectionFailed || error.wasNotSent {
                        return []  // none was sent: each goes again alone below
                    }
                }
            }
            for try await replies in group {
                for (index, reply) in replies { results[index] = reply }
            }
        }
        for index in results.indices {
            let again: Bool
            switch results[index] {
            case nil: again = true
            case .error(let error)?: again = RedisClusterRedirect(error) != nil || ["TRYAGAIN", "CLUSTERDOWN"].contains(error.code)
            default: again = false
            }
            guard again else { continue }
            do {
                results[index] = try await run(.command(commands[index]), slot: slots[index])
            } catch let error as RedisServerError {
                results[index] = .error(error)
            }
        }
        return results.map { $0! }
    }

    // MARK: The slot map

    /// Reads the slot map again now (waiting for a read already under way instead of starting
    /// another).
    @discardableResult
    func refreshed() async throws -> RedisClusterSlotMap {
        let task = try state.withLock { state throws -> Task<RedisClusterSlotMap, any Error> in
            if state.closed { throw ConnectionPoolError.poolClosed }
            if let refreshing = state.refreshing { return refreshing }
            // Unstructured: callers that arrive meanwhile wait for this same read, and it must
            // not end with the caller that happened to start it.
            let task = Task { try await self.readSlotMap() }
            state.refreshing = task
            return task
        }
        do {
            let map = try await task.value
            state.withLock { state in
                if state.refreshing == task {
                    state.refreshing = nil
                    state.map = map
                    state.lastRefresh = ContinuousClock.now
                }
            }
            return map
        } catch {
            state.withLock { state in if state.refreshing == task { state.refreshing = nil } }
            throw error
        }
    }

    private func currentMap() async throws -> RedisClusterSlotMap {
        if let map = state.withLock({ $0.map }) { return map }
        return try await refreshed()
    }

    /// `MOVED`: the slot's new owner now, and the whole map read again in the background (a
    /// resharding or a failover moves more than one slot) unless it was read a moment ago.
    private func learn(slot: Int, at node: Node) -> RedisClusterSlotMap {
        let (map, stale) = state.withLock { state -> (RedisClusterSlotMap, Bool) in
            state.statistics.moved += 1
            var map = state.map ?? RedisClusterSlotMap()
            map.assign(slot...slot, to: node)
            state.map = map
            let stale = state.refreshing == nil && state.lastRefresh.map { ContinuousClock.now - $0 > .milliseconds(100) } ?? true
            return (map, stale)
        }
        if stale {
            Task { try? await self.refreshed() }
        }
        return map
    }

    /// `CLUSTER SLOTS` from the first node that answers: the primaries known, then the seeds.
    private func readSlotMap() async throws -> RedisClusterSlotMap {
        let known = state.withLock { $0.map?.primaries ?? [] }
        var candidates: [Node] = []
        for node in known + configuration.clusterSeeds where !candidates.contains(node) { candidates.append(node) }
        var failures: [String] = []
        for node in candidates {
            do {
                let reply = try await connection(to: node).send(["CLUSTER", "SLOTS"])
                let map = try RedisClusterSlotMap(clusterSlots: reply, defaultHost: node.host)
                guard !map.primaries.isEmpty else {
                    failures.append("\(node): no slot assigned")
                    continue
                }
                state.withLock { $0.statistics.refreshes += 1 }
                logger.debug("Redis Cluster slot map read", metadata: [
                    "redis.node": "\(node)", "redis.primaries": "\(map.primaries)", "redis.unserved_slots": "\(map.unservedSlots)",
                ])
                return map
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures.append("\(node): \(error)")
            }
        }
        throw RedisError(.connectionFailed, "no node of the Redis Cluster answered CLUSTER SLOTS (\(failures.joined(separator: "; ")))")
    }

    private static func node(for slot: Int?, in map: RedisClusterSlotMap) -> Node? {
        guard let slot else { return map.primaries.first }
        return map.primary(of: slot)
    }

    // MARK: Connections

    private func connection(to node: Node) async throws -> RedisConnection {
        let connections = try state.withLock { state throws -> SharedConnections in
            if state.closed { throw ConnectionPoolError.poolClosed }
            if let known = state.nodes[node] { return known }
            var configuration = self.configuration
            configuration.host = node.host
            configuration.port = node.port
            configuration.database = 0
            configuration.clusterSeeds = []
            let logger = self.logger
            let nodeConfiguration = configuration
            let connections = SharedConnections(count: configuration.sharedConnections) {
                try await RedisConnection.connect(configuration: nodeConfiguration, logger: logger)
            }
            state.nodes[node] = connections
            return connections
        }
        return try await connections.connection()
    }
}
