/// A Lua script, run with EVALSHA by its SHA1 so that the source crosses the network only when
/// the server does not know it yet (a fresh server, or after SCRIPT FLUSH).
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// Lower-case hex, as SCRIPT LOAD returns it; computed here, so no round trip is needed.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(of: Array(source.utf8))
    }
}

extension RedisConnection {
    /// Runs `script` with EVALSHA. When the server answers NOSCRIPT it loads the script and runs
    /// it again in one more round trip; so this works on a fresh server and after SCRIPT FLUSH.
    /// A script error is thrown as ``RedisServerError``.
    public func evaluate(
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        arguments: [RedisArgument] = []
    ) async throws -> RedisValue {
        var evalsha = RedisCommand(arguments: ["EVALSHA", .string(script.sha1), .integer(keys.count)])
        evalsha.arguments.append(contentsOf: keys)
        evalsha.arguments.append(contentsOf: arguments)
        do {
            return try await send(evalsha)
        } catch let error as RedisServerError where error.code == "NOSCRIPT" {
            logger.debug("loading Lua script", metadata: ["redis.script": "\(script.sha1)"])
            let replies = try await pipeline([["SCRIPT", "LOAD", .string(script.source)], evalsha])
            let loaded = replies[0]
            if case .error(let error) = loaded { throw error }
            guard loaded.string == script.sha1 else {
                throw RedisError.unexpectedReply(expected: "the script's SHA1 \(script.sha1)", actual: loaded)
            }
            if case .error(let error) = replies[1] { throw error }
            return replies[1]
        }
    }

    /// Loads `script` into the server's script cache, so that the first ``evaluate(_:keys:arguments:)``
    /// needs no extra round trip.
    public func load(_ script: RedisScript) async throws {
        let loaded = try await send("SCRIPT", "LOAD", .string(script.source))
        guard loaded.string == script.sha1 else {
            throw RedisError.unexpectedReply(expected: "the script's SHA1 \(script.sha1)", actual: loaded)
        }
    }
}
