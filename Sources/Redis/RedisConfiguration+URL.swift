import Foundation

extension RedisConfiguration {
    /// Reads a standalone server, `redis://[[user]:password@]host[:port][/db]` (port 6379 and
    /// database 0 by default), or a cluster, `redis-cluster://[[user]:password@]host[:port][,host[:port]...]`:
    /// the nodes to learn the cluster's slots from (any of its nodes; more than one, so that one
    /// node down does not keep the client from starting). A cluster has database 0 only. User and
    /// password may be percent-encoded; IPv6 hosts go in brackets. The other settings keep their
    /// defaults.
    ///
    /// Throws ``RedisError/Code/invalidConfiguration`` with the reason; the message never repeats
    /// the password.
    public init(url: String) throws {
        self.init()
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw RedisError.invalidURL("expected redis://host:port/db or redis-cluster://host:port,host:port")
        }
        let cluster: Bool
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "redis": cluster = false
        case "redis-cluster": cluster = true
        case "rediss": throw RedisError.invalidURL("TLS (rediss://) is not supported")
        case let scheme: throw RedisError.invalidURL("unknown scheme '\(scheme)', expected redis:// or redis-cluster://")
        }
        var rest = url[schemeEnd.upperBound...]
        if rest.contains(where: { $0 == "?" || $0 == "#" }) {
            throw RedisError.invalidURL("query parameters and fragments are not supported")
        }

        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        } else {
            path = ""
        }

        var hosts = rest
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            hosts = rest[rest.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else {
                throw RedisError.invalidURL("credentials need a password: redis://[user]:password@host")
            }
            let user = try Self.percentDecoded(userInfo[..<colon])
            username = user.isEmpty ? nil : user
            password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
        }

        if cluster {
            clusterSeeds = try hosts.split(separator: ",", omittingEmptySubsequences: false).map(Self.node)
            host = clusterSeeds[0].host
            port = clusterSeeds[0].port
        } else {
            if hosts.contains(",") {
                throw RedisError.invalidURL("several hosts: a cluster's nodes go in redis-cluster://host:port,host:port")
            }
            let node = try Self.node(hosts)
            host = node.host
            port = node.port
        }

        if !path.isEmpty {
            guard let number = Int(path), number >= 0 else {
                throw RedisError.invalidURL("database '\(path)' is not a non-negative number")
            }
            if cluster, number != 0 {
                throw RedisError.invalidURL("a cluster has database 0 only, not \(number)")
            }
            database = number
        }
    }

    /// `host[:port]` or `[ipv6][:port]`, port 6379 by default.
    private static func node(_ hostAndPort: Substring) throws -> RedisClusterSlotMap.Node {
        let host: Substring
        let portText: Substring?
        if hostAndPort.hasPrefix("[") {
            // An IPv6 literal: [::1]:6379
            guard let close = hostAndPort.firstIndex(of: "]") else {
                throw RedisError.invalidURL("unclosed '[' in the IPv6 host")
            }
            host = hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close]
            let afterHost = hostAndPort[hostAndPort.index(after: close)...]
            if afterHost.isEmpty {
                portText = nil
            } else if afterHost.first == ":" {
                portText = afterHost.dropFirst()
            } else {
                throw RedisError.invalidURL("unexpected '\(afterHost)' after the IPv6 host")
            }
        } else if let colon = hostAndPort.lastIndex(of: ":") {
            host = hostAndPort[..<colon]
            portText = hostAndPort[hostAndPort.index(after: colon)...]
        } else {
            host = hostAndPort
            portText = nil
        }
        guard !host.isEmpty else { throw RedisError.invalidURL("the host is missing") }

        var port = 6379
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw RedisError.invalidURL("port '\(portText)' is not a number from 1 to 65535")
            }
            port = number
        }
        return RedisClusterSlotMap.Node(host: String(host), port: port)
    }

    private static func percentDecoded(_ text: Substring) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw RedisError.invalidURL("malformed percent-encoding in the credentials, or not UTF-8 once decoded")
        }
        return decoded
    }
}
