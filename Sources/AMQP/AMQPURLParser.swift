import Foundation

/// Parses AMQP URIs (https://www.rabbitmq.com/docs/uri-spec) without Foundation's URL, whose
/// treatment of `%2F` in paths and of empty user info differs between platforms.
enum AMQPURLParser {
    struct Parsed: Equatable {
        /// Every broker the URL names, in its order (`host1:port1,host2:port2`); at least one.
        var brokers: [AMQPBroker]
        var username: String
        var password: String
        var virtualHost: String
    }

    static func parse(_ url: String) throws(AMQPError) -> Parsed {
        func invalid(_ why: String) -> AMQPError {
            AMQPError(.invalidURL, message: "invalid AMQP URL '\(redacted(url))': \(why)")
        }
        let scheme = "amqp://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw url.lowercased().hasPrefix("amqps://")
                ? invalid("TLS (amqps) is not supported by this client")
                : invalid("expected the scheme amqp://")
        }
        var rest = Substring(url.dropFirst(scheme.count))

        var path: Substring? = nil
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if rest.contains("?") || rest.contains("#") || (path?.contains("?") ?? false) {
            throw invalid("query parameters are not supported")
        }

        var username = "guest"
        var password = "guest"
        var hostPort = rest
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            hostPort = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                username = try decode(userInfo[..<colon], invalid)
                password = try decode(userInfo[userInfo.index(after: colon)...], invalid)
            } else {
                username = try decode(userInfo, invalid)
            }
        }

        var brokers: [AMQPBroker] = []
        for endpoint in hostPort.split(separator: ",", omittingEmptySubsequences: false) {
            brokers.append(try broker(endpoint, invalid))
        }

        var virtualHost = "/"
        if let path, !path.isEmpty {
            guard !path.contains("/") else { throw invalid("the vhost must be one path segment (write '/' as %2F)") }
            virtualHost = try decode(path, invalid)
        }
        return Parsed(brokers: brokers, username: username, password: password, virtualHost: virtualHost)
    }

    /// One `host[:port]` of the authority (an IPv6 host in brackets).
    static func broker(_ hostPort: Substring, _ invalid: (String) -> AMQPError) throws(AMQPError) -> AMQPBroker {
        var host: Substring
        var portText: Substring? = nil
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("unclosed IPv6 literal") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 literal") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.firstIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { throw invalid("missing host") }

        var port = 5672
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else {
                throw invalid("port must be a number from 1 to 65535")
            }
            port = value
        }
        return AMQPBroker(host: String(host), port: port)
    }

    /// Percent-decodes one URL component as UTF-8.
    static func decode(_ text: Substring, _ invalid: (String) -> AMQPError) throws(AMQPError) -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw invalid("bad percent-escape in '\(text)', or it does not decode to UTF-8")
        }
        return decoded
    }

    /// The URL with its password hidden, for error messages and logs.
    static func redacted(_ url: String) -> String {
        let scheme = "amqp://"
        guard url.hasPrefix(scheme), let at = url.lastIndex(of: "@") else { return url }
        let authorityStart = url.index(url.startIndex, offsetBy: scheme.count)
        guard authorityStart <= at, let colon = url[authorityStart..<at].firstIndex(of: ":") else { return url }
        return String(url[...colon]) + "***" + String(url[at...])
    }
}
