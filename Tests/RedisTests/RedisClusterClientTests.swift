import Foundation
import Logging
import Testing
@testable import Redis

/// The cluster client against the real Redis Cluster of `scripts/redis-cluster up` (3 primaries,
/// 3 replicas): slot routing, a resharded slot (`MOVED`), a slot in migration (`ASK`), a manual
/// failover and a killed primary. Serialized: each test moves slots or primaries, and each leaves
/// the cluster whole (every slot served, no migration open) for the next.
@Suite(.serialized) struct RedisClusterClientTests {
    @Test func eachCommandGoesToThePrimaryOfItsSlot() async throws {
        try await ClusterAdmin.withClient { client, prefix in
            let keys = (0..<120).map { "\(prefix):\($0)" }
            for key in keys { _ = try await client.send("SET", .string(key), .string("v-\(key)")) }
            let admin = try await ClusterAdmin.read()
            #expect(Set(keys.map { admin.primary(of: RedisClusterSlot.of(key: $0))?.address }).count == 3, "the keys span the three primaries")
            // Each key is on its slot's primary itself: asked there directly, with no redirect.
            for key in keys {
                let owner = try #require(admin.primary(of: RedisClusterSlot.of(key: key)))
                #expect(try await ClusterAdmin.direct(owner.address, ["GET", .string(key)]) == .bulk(Array("v-\(key)".utf8)))
            }
            // One pipeline over the three nodes answers in the order asked.
            let replies = try await client.pipeline(keys.map { ["GET", .string($0)] })
            #expect(replies == keys.map { .bulk(Array("v-\($0)".utf8)) })
            let statistics = try #require(client.clusterStatistics)
            #expect(statistics.moved == 0 && statistics.asked == 0 && statistics.retries == 0, "\(statistics)")
            #expect(statistics.refreshes == 1)
            #expect(client.sharedOpen >= 3)
            for key in keys { _ = try await client.send("DEL", .string(key)) }
        }
    }

    @Test func scriptsRunOnTheirTagsNodeAndKeysOfSeveralSlotsAreRefused() async throws {
        try await ClusterAdmin.withClient { client, prefix in
            let script = RedisScript("redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return redis.call('GET', KEYS[2])")
            for event in 0..<6 {
                let tag = "{\(prefix)-evt:\(event)}"
                let reply = try await client.evaluate(script, keys: [.string(tag + ":a"), .string(tag + ":b")], arguments: ["x"])
                #expect(reply == .bulk(Array("x".utf8)))
                _ = try await client.send("DEL", .string(tag + ":a"), .string(tag + ":b"))
            }
            // Found before anything is sent: a node would answer CROSSSLOT.
            let crossing = ["\(prefix):a", "\(prefix):b", "\(prefix):c"].map(RedisArgument.string)
            try #require(Set(crossing.map { RedisClusterSlot.of(key: Array($0.bytes)) }).count > 1)
            await #expect(throws: RedisError(.invalidCommand, "")) { try await client.send(RedisCommand(arguments: ["DEL"] + crossing)) }
            await #expect(throws: RedisError(.invalidCommand, "")) { try await client.evaluate(script, keys: crossing) }
            await #expect(throws: RedisError(.invalidCommand, "")) { try await client.withConnection { _ in } }
            #expect(client.clusterStatistics?.moved == 0)
        }
    }

    @Test func aReshardedSlotIsFollowedByItsMovedAndLearned() async throws {
        try await ClusterAdmin.withClient { client, prefix in
            let tag = "{\(prefix)-evt:1}"
            let slot = RedisClusterSlot.of(key: tag)
            _ = try await client.send("SET", .string(tag + ":seats"), "before")
            let admin = try await ClusterAdmin.read()
            let source = try #require(admin.primary(of: slot))
            let target = try #require(admin.primaries.first { $0.id != source.id })

            try await ClusterAdmin.migrate(slot: slot, from: source, to: target)

            #expect(try await client.send("GET", .string(tag + ":seats")) == .bulk(Array("before".utf8)))
            #expect(client.clusterStatistics?.moved == 1)
            #expect(client.clusterSlotMap?.primary(of: slot)?.port == target.port, "the new owner, learned")
            _ = try await client.send("SET", .string(tag + ":seats"), "after")
            #expect(client.clusterStatistics?.moved == 1, "no second redirect")
            #expect(try await ClusterAdmin.direct(target.address, ["GET", .string(tag + ":seats")]) == .bulk(Array("after".utf8)))
            _ = try await client.send("DEL", .string(tag + ":seats"))
        }
    }

    @Test func aKeyAlreadyMigratedIsReachedByAskAndTheRestStayWithTheSource() async throws {
        try await ClusterAdmin.withClient { client, prefix in
            let tag = "{\(prefix)-evt:2}"
            let slot = RedisClusterSlot.of(key: tag)
            let moving = tag + ":moving", staying = tag + ":staying"
            _ = try await client.pipeline([["SET", .string(moving), "m"], ["SET", .string(staying), "s"]])
            let admin = try await ClusterAdmin.read()
            let source = try #require(admin.primary(of: slot))
            let target = try #require(admin.primaries.first { $0.id != source.id })

            try await ClusterAdmin.openMigration(slot: slot, from: source, to: target)
            do {
                try await ClusterAdmin.moveKeys([moving], from: source, to: target)
                #expect(try await client.send("GET", .string(moving)) == .bulk(Array("m".utf8)))
                #expect(client.clusterStatistics?.asked == 1)
                // A script by its source on the importing node, after ASKING too.
                let script = RedisScript("return redis.call('APPEND', KEYS[1], ARGV[1])")
                #expect(try await client.evaluate(script, keys: [.string(moving)], arguments: ["!"]) == .integer(2))
                #expect(client.clusterStatistics?.asked == 2)
                #expect(try await client.send("GET", .string(staying)) == .bulk(Array("s".utf8)))
                #expect(client.clusterStatistics?.asked == 2, "a key not yet moved is served by the source")
                #expect(client.clusterStatistics?.moved == 0)
                #expect(client.clusterSlotMap?.primary(of: slot)?.port == source.port, "ASK does not change the map")
            } catch {
                try await ClusterAdmin.closeMigration(slot: slot, from: source, to: target)
                throw error
            }
            try await ClusterAdmin.closeMigration(slot: slot, from: source, to: target)
            #expect(try await client.send("GET", .string(staying)) == .bulk(Array("s".utf8)))
            #expect(client.clusterStatistics?.moved == 1, "once the slot is the target's, a MOVED")
            _ = try await client.send("DEL", .string(moving), .string(staying))
        }
    }

    @Test func aManualFailoverIsFollowedToThePromotedReplica() async throws {
        try await ClusterAdmin.withClient { client, prefix in
            let (key, slot, primary, replica) = try await ClusterAdmin.keyBeforeFailover("{\(prefix)-evt:3}:seats", client: client)

            _ = try await ClusterAdmin.direct(replica.address, ["CLUSTER", "FAILOVER"])
            try await ClusterAdmin.waitUntil("the replica serves slot \(slot)") { $0.primary(of: slot)?.id == replica.id }

            #expect(try await client.send("GET", .string(key)) == .bulk(Array("kept".utf8)))
            let statistics = try #require(client.clusterStatistics)
            #expect(statistics.moved >= 1, "\(statistics)")
            #expect(client.clusterSlotMap?.primary(of: slot)?.port == replica.port)
            _ = try await client.send("DEL", .string(key))
        }
    }

    @Test func aKilledPrimarysSlotsAreFoundOnItsReplicaWithinTheCommandsTime() async throws {
        // Long enough for the cluster's node timeout (2 s) and the replica's election.
        try await ClusterAdmin.withClient({ $0.commandTimeout = .seconds(15) }) { client, prefix in
            let (key, slot, primary, replica) = try await ClusterAdmin.keyBeforeFailover("{\(prefix)-evt:4}:seats", client: client)
            let number = try #require(ClusterAdmin.nodeNumber(primary))

            try ClusterAdmin.script("kill", number)
            do {
                // One call: it waits through the failover by itself.
                #expect(try await client.send("GET", .string(key)) == .bulk(Array("kept".utf8)))
                let statistics = try #require(client.clusterStatistics)
                #expect(statistics.retries >= 1, "the dead primary was tried and then left: \(statistics)")
                #expect(client.clusterSlotMap?.primary(of: slot)?.port == replica.port)
            } catch {
                try ClusterAdmin.script("start", number)
                throw error
            }
            try ClusterAdmin.script("start", number)
            try await ClusterAdmin.waitUntil("node \(number) back, every slot served") { view in
                view.nodes.contains { $0.port == primary.port && !$0.failed } && view.servedSlots == RedisClusterSlot.count
            }
            _ = try await client.send("DEL", .string(key))
        }
    }
}

/// The cluster as its nodes describe it, and the operator's moves: resharding a slot, a
/// migration step by step, a node killed through `scripts/redis-cluster`.
enum ClusterAdmin {
    static let url = ProcessInfo.processInfo.environment["REDIS_CLUSTER_URL"]
        ?? "redis-cluster://127.0.0.1:63801,127.0.0.1:63802,127.0.0.1:63803,127.0.0.1:63804,127.0.0.1:63805,127.0.0.1:63806"

    struct Node: Sendable {
        let id: String
        let host: String
        let port: Int
        let isPrimary: Bool
        let failed: Bool
        let primaryID: String?
        let slots: [ClosedRange<Int>]
        var address: RedisClusterSlotMap.Node { .init(host: host, port: port) }
    }

    struct View: Sendable {
        let nodes: [Node]
        var primaries: [Node] { nodes.filter { $0.isPrimary && !$0.failed } }
        func primary(of slot: Int) -> Node? { primaries.first { $0.slots.contains { $0.contains(slot) } } }
        var servedSlots: Int { primaries.reduce(0) { $0 + $1.slots.reduce(0) { $0 + $1.count } } }
    }

    /// A client on the cluster (waiting until it is whole first), and a key prefix of this test.
    static func withClient(
        _ adjust: (inout RedisConfiguration) -> Void = { _ in },
        _ body: (RedisClient, String) async throws -> Void
    ) async throws {
        try await waitUntil("the cluster whole: six nodes, every slot served, each primary with its replica", whole: true) {
            view in view.servedSlots == RedisClusterSlot.count && view.nodes.count == 6 && view.nodes.allSatisfy { !$0.failed }
                && view.primaries.allSatisfy { primary in view.nodes.contains { $0.primaryID == primary.id } }
        }
        var configuration = try RedisConfiguration(url: url)
        adjust(&configuration)
        let client = RedisClient(configuration: configuration, logger: Logger(label: "redis-cluster-tests"))
        defer { client.close() }
        try await body(client, "t-\(UUID().uuidString.prefix(8))")
    }

    static var seeds: [RedisClusterSlotMap.Node] { (try? RedisConfiguration(url: url).clusterSeeds) ?? [] }

    /// `CLUSTER NODES` of the first seed that answers.
    static func read() async throws -> View {
        var lastError: (any Error)?
        for seed in seeds {
            do {
                let text = try await direct(seed, ["CLUSTER", "NODES"]).expectString()
                return View(nodes: text.split(separator: "\n").compactMap(parse))
            } catch {
                lastError = error
            }
        }
        throw lastError ?? RedisError(.connectionFailed, "no seed")
    }

    /// Waits until `condition` holds on the nodes' view and every node says cluster_state:ok
    /// (and, when `whole`, every replica's link to its primary is up).
    static func waitUntil(_ what: String, timeout: Duration = .seconds(30), whole: Bool = false, _ condition: (View) -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let view = try? await read(), condition(view), try await agreed() {
                let linked = whole ? try await replicasLinked() : true
                if linked { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the cluster did not reach '\(what)' within \(timeout)")
        throw CancellationError()
    }

    /// Every live node says cluster_state:ok.
    private static func agreed() async throws -> Bool {
        for seed in seeds {
            guard let info = try? await direct(seed, ["CLUSTER", "INFO"]).expectString() else { continue }
            if !info.contains("cluster_state:ok") { return false }
        }
        return true
    }

    /// Every replica among the seeds reports master_link_status:up.
    private static func replicasLinked() async throws -> Bool {
        for seed in seeds {
            guard let info = try? await direct(seed, ["INFO", "replication"]).expectString() else { return false }
            if info.contains("role:slave"), !info.contains("master_link_status:up") { return false }
        }
        return true
    }

    /// One command on a connection of its own to `node`, without any routing.
    @discardableResult
    static func direct(_ node: RedisClusterSlotMap.Node, _ command: RedisCommand) async throws -> RedisValue {
        let connection = try await RedisConnection.connect(configuration: RedisConfiguration(host: node.host, port: node.port, connectTimeout: .seconds(1)))
        defer { connection.close() }
        return try await connection.send(command)
    }

    /// A key written on its primary and its replica, read once through `client` (which so knows
    /// the primary before a failover), with the slot, the primary and its replica.
    static func keyBeforeFailover(_ key: String, client: RedisClient) async throws -> (String, Int, Node, Node) {
        let slot = RedisClusterSlot.of(key: key)
        let view = try await read()
        let primary = try #require(view.primary(of: slot))
        let replica = try #require(view.nodes.first { $0.primaryID == primary.id && !$0.failed })
        try await writeReplicated(key, "kept", on: primary)
        #expect(try await client.send("GET", .string(key)) == .bulk(Array("kept".utf8)))
        #expect(client.clusterSlotMap?.primary(of: slot)?.port == primary.port)
        return (key, slot, primary, replica)
    }

    /// SET on the slot's primary, then WAIT on the same connection until its replica has it: a
    /// failover keeps only what the replica had (Redis replicates asynchronously).
    static func writeReplicated(_ key: String, _ value: String, on primary: Node) async throws {
        let connection = try await RedisConnection.connect(configuration: RedisConfiguration(host: primary.host, port: primary.port, commandTimeout: .seconds(10)))
        defer { connection.close() }
        let replies = try await connection.pipeline([["SET", .string(key), .string(value)], ["WAIT", 1, 5000]])
        guard replies == [.status("OK"), .integer(1)] else {
            throw RedisError(.unexpectedReply, "SET and WAIT on \(primary.port): \(replies)")
        }
    }

    /// The whole of a slot to `target`, keys and ownership, told to every primary.
    static func migrate(slot: Int, from source: Node, to target: Node) async throws {
        try await openMigration(slot: slot, from: source, to: target)
        try await closeMigration(slot: slot, from: source, to: target)
    }

    static func openMigration(slot: Int, from source: Node, to target: Node) async throws {
        try await direct(target.address, ["CLUSTER", "SETSLOT", .integer(slot), "IMPORTING", .string(source.id)])
        try await direct(source.address, ["CLUSTER", "SETSLOT", .integer(slot), "MIGRATING", .string(target.id)])
    }

    static func moveKeys(_ keys: [String], from source: Node, to target: Node) async throws {
        guard !keys.isEmpty else { return }
        try await direct(source.address, RedisCommand(arguments: [
            "MIGRATE", .string(target.host), .integer(target.port), "", 0, 5000, "KEYS",
        ] + keys.map(RedisArgument.string)))
    }

    /// The slot's remaining keys moved, then the target named its owner on both sides and the
    /// other primaries.
    static func closeMigration(slot: Int, from source: Node, to target: Node) async throws {
        while true {
            let keys = try await direct(source.address, ["CLUSTER", "GETKEYSINSLOT", .integer(slot), 100]).expectArray().map { try $0.expectString() }
            if keys.isEmpty { break }
            try await moveKeys(keys, from: source, to: target)
        }
        let view = try await read()
        for node in [target, source] + view.primaries.filter({ $0.id != source.id && $0.id != target.id }) {
            try await direct(node.address, ["CLUSTER", "SETSLOT", .integer(slot), "NODE", .string(target.id)])
        }
        try await waitUntil("slot \(slot) on \(target.port) everywhere") { $0.primary(of: slot)?.id == target.id }
    }

    /// The node's number in `scripts/redis-cluster` (its port's place among the seeds).
    static func nodeNumber(_ node: Node) -> Int? {
        seeds.firstIndex { $0.port == node.port }.map { $0 + 1 }
    }

    /// Runs `scripts/redis-cluster VERB N`.
    static func script(_ verb: String, _ number: Int) throws {
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = root.appending(path: "scripts/redis-cluster")
        process.arguments = [verb, String(number)]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RedisError(.invalidConfiguration, "scripts/redis-cluster \(verb) \(number) exited with \(process.terminationStatus)")
        }
    }

    /// A line of `CLUSTER NODES`: `id host:port@bus[,hostname] flags primary ping pong epoch link slot...`.
    private static func parse(_ line: Substring) -> Node? {
        let fields = line.split(separator: " ")
        guard fields.count >= 8 else { return nil }
        let endpoint = fields[1].prefix { $0 != "@" && $0 != "," }
        guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]) else { return nil }
        let flags = fields[2].split(separator: ",")
        let slots: [ClosedRange<Int>] = fields.dropFirst(8).compactMap { field in
            if field.hasPrefix("[") { return nil }  // a migration in progress, not ownership
            let bounds = field.split(separator: "-").compactMap { Int($0) }
            switch bounds.count {
            case 1: return bounds[0]...bounds[0]
            case 2: return bounds[0]...bounds[1]
            default: return nil
            }
        }
        return Node(
            id: String(fields[0]), host: String(endpoint[..<colon]), port: port,
            isPrimary: flags.contains("master"), failed: flags.contains("fail") || flags.contains("fail?") || flags.contains("noaddr"),
            primaryID: fields[3] == "-" ? nil : String(fields[3]), slots: slots
        )
    }
}

private extension RedisArgument {
    var bytes: [UInt8] {
        switch self {
        case .string(let text): Array(text.utf8)
        case .bytes(let bytes): bytes
        case .integer(let number): Array(String(number).utf8)
        }
    }
}
