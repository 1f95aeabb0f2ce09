import Testing
@testable import Redis

/// What a cluster client needs before it sends anything: the slot of a key, the redirects a node
/// answers, and the map of slots to primaries that `CLUSTER SLOTS` gives. No server here.
@Suite struct RedisClusterTopologyTests {
    @Test func theChecksumIsCRC16XMODEM() {
        // The check value of CRC-16/XMODEM, and the one the cluster specification gives.
        #expect(RedisClusterSlot.crc16(Array("123456789".utf8)[...]) == 0x31C3)
    }

    @Test(arguments: [("foo", 12182), ("hello", 866), ("somekey", 11058), ("foo{hash_tag}", 2515), ("", 0)])
    func aKeyHasTheSlotRedisGivesIt(_ key: String, _ slot: Int) {
        #expect(RedisClusterSlot.of(key: key) == slot)
    }

    @Test func aHashTagIsHashedAloneSoTheKeysOfAnEventShareANode() {
        #expect(RedisClusterSlot.of(key: "{evt:42}:seats") == RedisClusterSlot.of(key: "{evt:42}:free"))
        #expect(RedisClusterSlot.of(key: "{evt:42}:seats") == RedisClusterSlot.of(key: "evt:42"))
        #expect(RedisClusterSlot.of(key: "foo{bar}{zap}") == RedisClusterSlot.of(key: "bar"))
        // The first `{` with a `}` after it: here the tag is `{bar`.
        #expect(RedisClusterSlot.of(key: "foo{{bar}}zap") == RedisClusterSlot.of(key: "{bar"))
        // An empty tag hashes the whole key.
        #expect(RedisClusterSlot.hashed(Array("foo{}{bar}".utf8)) == Array("foo{}{bar}".utf8)[...])
        #expect(RedisClusterSlot.of(key: "{no-end") == RedisClusterSlot.of(key: Array("{no-end".utf8)))
    }

    @Test func movedAndAskNameTheSlotAndTheNode() throws {
        let moved = try #require(RedisClusterRedirect(RedisServerError(reply: "MOVED 3999 127.0.0.1:6381")))
        #expect(moved == RedisClusterRedirect(kind: .moved, slot: 3999, host: "127.0.0.1", port: 6381))
        let ask = try #require(RedisClusterRedirect(RedisServerError(reply: "ASK 0 redis-2:7000")))
        #expect(ask == RedisClusterRedirect(kind: .ask, slot: 0, host: "redis-2", port: 7000))
        #expect(RedisClusterRedirect(RedisServerError(reply: "MOVED 1 ::1:6380"))?.host == "::1")
        #expect(RedisClusterRedirect(RedisServerError(reply: "MOVED 1 [::1]:6380"))?.host == "::1")
        // An unknown endpoint: the host of the node that answered.
        #expect(RedisClusterRedirect(RedisServerError(reply: "MOVED 16383 :6380"))?.host == "")
    }

    @Test(arguments: ["ERR unknown command", "MOVED", "MOVED 16384 127.0.0.1:6381", "MOVED -1 h:1", "ASK 1 h", "ASK 1 h:0", "MOVED 1 h:1 extra", "TRYAGAIN Multiple keys request during rehashing of slot"])
    func otherErrorsAreNoRedirect(_ reply: String) {
        #expect(RedisClusterRedirect(RedisServerError(reply: reply)) == nil)
    }

    static func range(_ start: Int64, _ end: Int64, _ host: String, _ port: Int64, replicaPort: Int64) -> RedisValue {
        .array([
            .integer(start), .integer(end),
            .array([.bulk(Array(host.utf8)), .integer(port), .bulk(Array("id-\(port)".utf8))]),
            .array([.bulk(Array(host.utf8)), .integer(replicaPort), .bulk(Array("id-\(replicaPort)".utf8))]),
        ])
    }

    @Test func theSlotMapGivesEachSlotItsPrimary() throws {
        let reply = RedisValue.array([
            Self.range(0, 5460, "127.0.0.1", 7000, replicaPort: 7003),
            Self.range(5461, 10922, "", 7001, replicaPort: 7004),
            Self.range(10923, 16383, "127.0.0.1", 7002, replicaPort: 7005),
        ])
        var map = try RedisClusterSlotMap(clusterSlots: reply, defaultHost: "10.9.8.7")
        #expect(map.primary(of: 0) == .init(host: "127.0.0.1", port: 7000))
        #expect(map.primary(of: 5460) == .init(host: "127.0.0.1", port: 7000))
        #expect(map.primary(of: 5461) == .init(host: "10.9.8.7", port: 7001), "an empty host is the one asked")
        #expect(map.primary(of: 16383) == .init(host: "127.0.0.1", port: 7002))
        #expect(map.primaries.count == 3)
        #expect(map.unservedSlots == 0)

        // A MOVED of one slot moves that slot only, to a node the map may not know yet.
        map.assign(3999...3999, to: .init(host: "127.0.0.1", port: 7006))
        #expect(map.primary(of: 3999) == .init(host: "127.0.0.1", port: 7006))
        #expect(map.primary(of: 4000) == .init(host: "127.0.0.1", port: 7000))
        #expect(map.primaries.count == 4)
    }

    @Test func slotsNoRangeNamesHaveNoOwner() throws {
        let map = try RedisClusterSlotMap(clusterSlots: .array([Self.range(0, 99, "h", 1, replicaPort: 2)]), defaultHost: "h")
        #expect(map.primary(of: 100) == nil)
        #expect(map.unservedSlots == RedisClusterSlot.count - 100)
    }

    @Test(arguments: [
        RedisValue.status("OK"),
        .array([.array([.integer(5), .integer(1), .array([.bulk(Array("h".utf8)), .integer(1)])])]),  // start after end
        .array([.array([.integer(0), .integer(16384), .array([.bulk(Array("h".utf8)), .integer(1)])])]),  // past the last slot
        .array([.array([.integer(0), .integer(1), .array([.bulk(Array("h".utf8)), .integer(0)])])]),  // port 0
        .array([.array([.integer(0), .integer(1)])]),  // no node
    ])
    func aReplyThatIsNotAMapIsRefused(_ reply: RedisValue) {
        #expect(throws: RedisError.self) { try RedisClusterSlotMap(clusterSlots: reply, defaultHost: "h") }
    }

    @Test func aCommandsKeysAreFoundByItsLayout() throws {
        #expect(try RedisCommandKeys.slot(of: ["GET", "foo"]) == 12182)
        #expect(try RedisCommandKeys.slot(of: ["set", "foo", "bar"]) == 12182)
        #expect(try RedisCommandKeys.slot(of: ["PING"]) == nil)
        #expect(try RedisCommandKeys.slot(of: ["cluster", "slots"]) == nil)
        #expect(try RedisCommandKeys.slot(of: ["EVALSHA", "abc", 2, "{t}a", "{t}b", "foo"]) == RedisClusterSlot.of(key: "t"))
        #expect(try RedisCommandKeys.slot(of: ["EVAL", "return 1", "0", "foo"]) == nil)
        #expect(try RedisCommandKeys.slot(of: ["DEL", "{t}a", "{t}b"]) == RedisClusterSlot.of(key: "t"))
        #expect(try RedisCommandKeys.slot(of: ["MSET", "{t}a", "foo", "{t}b", "bar"]) == RedisClusterSlot.of(key: "t"))
        #expect(try RedisCommandKeys.slot(of: [.bytes(Array("GET".utf8)), .bytes([0xFF, 0x00])]) == RedisClusterSlot.of(key: [0xFF, 0x00]))
    }

    @Test(arguments: [
        RedisCommand(arguments: ["DEL", "foo", "bar"]),
        ["MGET", "{a}1", "{b}1"],
        ["EVALSHA", "abc", 2, "foo", "hello"],
        ["EVAL", "return 1", 3, "foo"],
        ["EVAL", "return 1", "x", "foo"],
        [],
    ])
    func keysOfSeveralSlotsOrAMalformedCountAreRefused(_ command: RedisCommand) {
        #expect(throws: RedisError(.invalidCommand, "")) { try RedisCommandKeys.slot(of: command) }
    }
}
