/// A cluster's answer that a key's slot is served elsewhere: `-MOVED 3999 10.0.0.2:6381` (the
/// slot has a new owner: send there, and from now on) or `-ASK 3999 10.0.0.2:6381` (the slot is
/// being migrated and this key is already there: send this one command there, after `ASKING`).
public struct RedisClusterRedirect: Hashable, Sendable {
    public enum Kind: Sendable {
        case moved
        case ask
    }

    public let kind: Kind
    public let slot: Int
    /// The node to send to. An empty host means the host of the node that answered.
    public let host: String
    public let port: Int

    public init(kind: Kind, slot: Int, host: String, port: Int) {
        self.kind = kind
        self.slot = slot
        self.host = host
        self.port = port
    }

    /// The redirect an error reply carries, or nil when the error is anything else. The endpoint
    /// is split at its last `:`, so an IPv6 address keeps its own colons.
    public init?(_ error: RedisServerError) {
        let kind: Kind
        switch error.code {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        let words = error.message.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2,
              let slot = Int(words[0]), (0..<RedisClusterSlot.count).contains(slot),
              let colon = words[1].lastIndex(of: ":"),
              let port = Int(words[1][words[1].index(after: colon)...]), (1...65_535).contains(port)
        else { return nil }
        var host = words[1][..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self.init(kind: kind, slot: slot, host: String(host), port: port)
    }
}
