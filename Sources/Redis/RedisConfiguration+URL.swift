import Foundation

extension RedisConfiguration {
    /// Reads host, port, credentials and database from `redis://[[user]:password@]host[:port][/db]`
    /// (port 6379 and database 0 by default; user and password may be percent-encoded); the other
    /// settings keep their defaults.
    ///
    /// Throws ``RedisError/Code/invalidConfiguration`` with the reason; the message never repeats
    /// the password.
    public init(url: String) throws {
        self.init()
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw RedisError.invalidURL("expected redis://host:port/db")
        }
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "redis": break
        case "rediss": throw RedisError.invalidURL("TLS (rediss://) is not supported")
        case let scheme: throw RedisError.invalidURL("unknown scheme '\(scheme)', expected redis://")
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

        var hostAndPort = rest
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            hostAndPort = rest[rest.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else {
                throw RedisError.invalidURL("credentials need a password: redis://[user]:password@host")
            }
            let user = try Self.percentDecoded(userInfo[..<colon])
            username = user.isEmpty ? nil : user
            password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
        }

        let portText: Substring?
        if hostAndPort.hasPrefix("[") {
            // An IPv6 literal: [::1]:6379
            guard let close = hostAndPort.firstIndex(of: "]") else {
                throw RedisError.invalidURL("unclosed '[' in the IPv6 host")
            }
            host = String(hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close])
            let afterHost = hostAndPort[hostAndPort.index(after: close)...]
            if afterHost.isEmpty {
                portText = nil
            } else if afterHost.first == ":" {
                portText = afterHost.dropFirst()
            } else {
                throw RedisError.invalidURL("unexpected '\(afterHost)' after the IPv6 host")
            }
        } else if let colon = hostAndPort.lastIndex(of: ":") {
            host = String(hostAndPort[..<colon])
            portText = hostAndPort[hostAndPort.index(after: colon)...]
        } else {
            host = String(hostAndPort)
            portText = nil
        }
        guard !host.isEmpty else { throw RedisError.invalidURL("the host is missing") }

        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw RedisError.invalidURL("port '\(portText)' is not a number from 1 to 65535")
            }
            port = number
        }

        if !path.isEmpty {
            guard let number = Int(path), number >= 0 else {
                throw RedisError.invalidURL("database '\(path)' is not a non-negative number")
            }
            database = number
        }
    }

    private static func percentDecoded(_ text: Substring) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw RedisError.invalidURL("malformed percent-encoding in the credentials, or not UTF-8 once decoded")
        }
        return decoded
    }
}
