import Synchronization

/// A Lua script, run with EVALSHA by the digest that Redis itself answered for it, so that the
/// source crosses the network only while the server does not know it yet (this process's first
/// call, a fresh server, or after SCRIPT FLUSH).
///
/// A reference type so that every copy of a script shares the one remembered digest: declare
/// each script once (a `static let`) and every connection learns its digest from the first call.
public final class RedisScript: Sendable, Hashable {
    public let source: String
    /// Lower-case hex, as `SCRIPT LOAD` answered it; nil until the first call. Guarded by the
    /// mutex because calls on many connections may learn it at once (they all learn the same).
    private let digest = Mutex<String?>(nil)

    public init(_ source: String) {
        self.source = source
    }

    /// The digest Redis gave for ``source``, once a call has loaded the script.
    public var sha1: String? { digest.withLock { $0 } }

    func remember(_ sha1: String) { digest.withLock { $0 = sha1 } }

    public static func == (lhs: RedisScript, rhs: RedisScript) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

extension RedisConnection {
    /// Runs `script`: with EVALSHA once its digest is known, which is one round trip. The first
    /// call sends `SCRIPT LOAD` (which answers the digest) and EVAL in one write, so it is one
    /// round trip too; a NOSCRIPT answer (a restarted or flushed server) loads the script and
    /// runs EVALSHA again in one more. A script error is thrown as ``RedisServerError``.
    public func evaluate(
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        arguments: [RedisArgument] = []
    ) async throws -> RedisValue {
        guard let sha1 = script.sha1 else {
            let eval = Self.command("EVAL", .string(script.source), keys: keys, arguments: arguments)
            let replies = try await pipeline([Self.scriptLoad(script), eval])
            try remember(replies[0], for: script)
            if case .error(let error) = replies[1] { throw error }
            return replies[1]
        }
        let evalsha = Self.command("EVALSHA", .string(sha1), keys: keys, arguments: arguments)
        do {
            return try await send(evalsha)
        } catch let error as RedisServerError where error.code == "NOSCRIPT" {
            logger.debug("loading Lua script", metadata: ["redis.script": "\(sha1)"])
            let replies = try await pipeline([Self.scriptLoad(script), evalsha])
            try remember(replies[0], for: script)
            guard replies[0].string == sha1 else {
                throw RedisError.unexpectedReply(expected: "the script's SHA1 \(sha1)", actual: replies[0])
            }
            if case .error(let error) = replies[1] { throw error }
            return replies[1]
        }
    }

    private static func scriptLoad(_ script: RedisScript) -> RedisCommand { ["SCRIPT", "LOAD", .string(script.source)] }

    private static func command(
        _ name: RedisArgument, _ script: RedisArgument, keys: [RedisArgument], arguments: [RedisArgument]
    ) -> RedisCommand {
        var command = RedisCommand(arguments: [name, script, .integer(keys.count)])
        command.arguments.reserveCapacity(3 + keys.count + arguments.count)
        command.arguments.append(contentsOf: keys)
        command.arguments.append(contentsOf: arguments)
        return command
    }

    private func remember(_ loaded: RedisValue, for script: RedisScript) throws {
        if case .error(let error) = loaded { throw error }
        guard let sha1 = loaded.string else {
            throw RedisError.unexpectedReply(expected: "the script's SHA1", actual: loaded)
        }
        script.remember(sha1)
    }
}
