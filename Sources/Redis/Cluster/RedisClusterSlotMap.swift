/// Which primary serves each of the 16,384 slots, read from `CLUSTER SLOTS`: an array of ranges,
/// each `[start, end, [host, port, node-id, ...], replica...]`, of which the first node is the
/// primary. A slot no range names has no owner (the cluster is incomplete or failing over).
public struct RedisClusterSlotMap: Sendable, Equatable {
    /// A node by its address, as the cluster announces it.
    public struct Node: Hashable, Sendable, CustomStringConvertible {
        public let host: String
        public let port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The primaries, each once.
    public private(set) var primaries: [Node]
    /// Per slot, an index into `primaries`, or -1 for no owner.
    private var owners: [Int16]

    /// No slot served.
    public init() {
        primaries = []
        owners = Array(repeating: -1, count: RedisClusterSlot.count)
    }

    /// The map a `CLUSTER SLOTS` reply describes. A node whose announced host is empty (Redis
    /// says that for "the host you asked") is taken to be `defaultHost`.
    public init(clusterSlots reply: RedisValue, defaultHost: String) throws {
        self.init()
        guard let ranges = reply.array else {
            throw RedisError.unexpectedReply(expected: "the array of CLUSTER SLOTS", actual: reply)
        }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3,
                  let start = fields[0].int, let end = fields[1].int,
                  start >= 0, end < RedisClusterSlot.count, start <= end,
                  let primary = fields[2].array, primary.count >= 2,
                  let host = primary[0].string, let port = primary[1].int, (1...65_535).contains(port)
            else {
                throw RedisError.unexpectedReply(expected: "a CLUSTER SLOTS range [start, end, [host, port, ...], ...]", actual: range)
            }
            assign(Int(start)...Int(end), to: Node(host: host.isEmpty ? defaultHost : host, port: Int(port)))
        }
    }

    /// The primary of `slot`, or nil when no node serves it.
    public func primary(of slot: Int) -> Node? {
        let owner = owners[slot]
        return owner < 0 ? nil : primaries[Int(owner)]
    }

    /// Slots no node serves.
    public var unservedSlots: Int { owners.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }

    /// Gives `slots` to `node`: what a `MOVED` says, until the next full read of the map.
    public mutating func assign(_ slots: ClosedRange<Int>, to node: Node) {
        let index: Int
        if let known = primaries.firstIndex(of: node) {
            index = known
        } else {
            primaries.append(node)
            index = primaries.count - 1
        }
        for slot in slots { owners[slot] = Int16(index) }
    }
}
