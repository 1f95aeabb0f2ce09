#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

/// A plain loopback TCP socket, for what an HTTP client library hides: half-sent heads, held
/// connections, reading to the server's close. Blocking calls; run them through `offTheTestPool`.
final class RawHTTPConnection: Sendable {
    let fd: Int32

    /// Connects to 127.0.0.1:`port`; nil when refused or failed.
    init?(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// False when the server has closed or reset the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    enum Ending: Equatable { case closed, reset, timedOut }

    /// Everything the server sends until it closes, or until `timeout` passes.
    func readToEnd(timeout: Duration) -> (bytes: [UInt8], ending: Ending) {
        var bytes: [UInt8] = []
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let left = deadline - clock.now
            guard left > .zero else { return (bytes, .timedOut) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, Int32(max(1, min(left / .milliseconds(1), 1000)))) <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return (bytes, .closed) }
            if n < 0 {
                if errno == EINTR { continue }
                return (bytes, .reset)
            }
            bytes += buffer[..<n]
        }
    }

    /// One whole answer on a kept-alive connection: the head and a `Content-Length` body.
    func readReply(timeout: Duration) -> Reply? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let reply = Reply(raw: bytes, complete: false) { return reply }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 100) == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return Reply(raw: bytes, complete: true) }
            bytes += buffer[..<n]
        }
        return nil
    }
}

extension Reply {
    /// Parses raw HTTP/1.1 answer bytes; nil while the head or the `Content-Length` body is
    /// incomplete (unless `complete`, when the rest is what there is).
    init?(raw: [UInt8], complete: Bool) {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = raw.indices.dropLast(3).first(where: { Array(raw[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[(end + 4)...])
        if let length = headers["content-length"].flatMap(Int.init) {
            guard body.count >= length || complete else { return nil }
            body = Array(body.prefix(length))
        }
        self.init(status: status, headers: headers, body: body)
    }
}

/// Runs blocking socket work on a thread of its own, not on the two cooperative threads the
/// rest of the test process shares.
func offTheTestPool<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

