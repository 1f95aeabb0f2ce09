/// Where the load goes: `http://host[:port]`, nothing else. A load tool must not hammer a remote
/// host by accident, so anything but a loopback address is refused unless asked for explicitly.
struct TargetURL: Sendable, Equatable {
    let host: String
    let port: Int

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init(_ text: String) throws(Invalid) {
        guard text.hasPrefix("http://") else {
            throw Invalid(description: "\(text): only http:// URLs are supported (the server speaks plain HTTP/1.1)")
        }
        var rest = Substring(text.dropFirst("http://".count))
        while rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.contains("/"), !rest.contains("@"), !rest.isEmpty else {
            throw Invalid(description: "\(text): give only scheme, host and port, e.g. http://127.0.0.1:8080")
        }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw Invalid(description: "\(text): unterminated IPv6 address") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        } else {
            let colon = rest.firstIndex(of: ":") ?? rest.endIndex
            host = String(rest[..<colon])
            rest = rest[colon...]
        }
        if rest.isEmpty {
            port = 80
        } else if rest.hasPrefix(":"), let number = Int(rest.dropFirst()), (1...65_535).contains(number) {
            port = number
        } else {
            throw Invalid(description: "\(text): the port must be a number from 1 to 65535")
        }
        guard !host.isEmpty else { throw Invalid(description: "\(text): no host") }
    }

    /// 127.0.0.0/8, ::1 or localhost: this machine, whatever the interfaces.
    var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The value of the `Host` header.
    var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
