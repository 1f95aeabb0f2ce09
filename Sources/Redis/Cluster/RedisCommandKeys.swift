/// Where a command's keys are, so that a cluster client can send it to its slot's primary.
///
/// By the commands' own layout: scripts and functions name their keys after a count
/// (`EVALSHA sha 2 k1 k2 ...`); `DEL`, `UNLINK`, `EXISTS`, `TOUCH`, `MGET` and `WATCH` take only
/// keys; `MSET` and `MSETNX` alternate keys and values; the commands of the server itself
/// (`PING`, `INFO`, `CLUSTER`, `SCRIPT`, ...) take none; every other command has its one key
/// first. A command whose keys hash to several slots cannot run on a cluster.
public enum RedisCommandKeys {
    /// The slot every key of `command` hashes to, or nil for a command without keys (any node
    /// may run it). Throws ``RedisError/Code/invalidCommand`` for keys of several slots.
    public static func slot(of command: RedisCommand) throws -> Int? {
        let arguments = command.arguments
        guard let first = arguments.first else { throw RedisError(.invalidCommand, "a command needs a name") }
        let name = Self.name(first)
        let keys: ArraySlice<RedisArgument>
        switch name {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard arguments.count >= 3, case .integer(let count) = numeric(arguments[2]), count >= 0,
                  arguments.count >= 3 + count
            else { throw RedisError(.invalidCommand, "\(name) needs its number of keys, then that many keys") }
            keys = arguments[3..<(3 + count)]
        case "DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "WATCH":
            keys = arguments.dropFirst()
        case "MSET", "MSETNX":
            return try slot(ofKeys: arguments.dropFirst().enumerated().filter { $0.offset % 2 == 0 }.map(\.element)[...], in: name)
        case _ where keyless.contains(name):
            return nil
        default:
            keys = arguments.dropFirst().prefix(1)
        }
        return try slot(ofKeys: keys, in: name)
    }

    /// The slot of keys that must share one, or nil for none.
    public static func slot(ofKeys keys: ArraySlice<RedisArgument>, in name: String = "the command") throws -> Int? {
        var found: Int?
        for key in keys {
            let slot = RedisClusterSlot.of(key: bytes(key))
            if let found, found != slot {
                throw RedisError(.invalidCommand, "the keys of \(name) hash to several slots (\(found) and \(slot)); give them one hash tag")
            }
            found = slot
        }
        return found
    }

    /// Commands of the server itself, which any node answers (`PUBLISH` reaches every node's
    /// subscribers in a cluster).
    private static let keyless: Set<String> = [
        "PING", "ECHO", "INFO", "TIME", "ROLE", "CLUSTER", "COMMAND", "SCRIPT", "FUNCTION", "CLIENT",
        "CONFIG", "DBSIZE", "FLUSHALL", "FLUSHDB", "LASTSAVE", "SAVE", "BGSAVE", "SLOWLOG", "LATENCY",
        "MEMORY", "WAIT", "PUBLISH", "HELLO", "AUTH", "SELECT", "READONLY", "READWRITE", "ASKING",
        "MULTI", "EXEC", "DISCARD", "UNWATCH", "RANDOMKEY", "SCAN", "KEYS", "SHUTDOWN", "DEBUG",
    ]

    private static func name(_ argument: RedisArgument) -> String {
        switch argument {
        case .string(let text): text.uppercased()
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self).uppercased()
        case .integer(let number): String(number)
        }
    }

    private static func numeric(_ argument: RedisArgument) -> RedisArgument? {
        switch argument {
        case .integer: argument
        case .string(let text): Int(text).map(RedisArgument.integer)
        case .bytes(let bytes): Int(String(decoding: bytes, as: UTF8.self)).map(RedisArgument.integer)
        }
    }

    private static func bytes(_ argument: RedisArgument) -> [UInt8] {
        switch argument {
        case .string(let text): Array(text.utf8)
        case .bytes(let bytes): bytes
        case .integer(let number): Array(String(number).utf8)
        }
    }
}
