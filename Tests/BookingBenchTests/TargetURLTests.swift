import Testing

@testable import BookingBench

@Suite struct TargetURLTests {
    @Test func parsesHostAndPort() throws {
        let target = try TargetURL("http://127.0.0.1:18080/")
        #expect(target.host == "127.0.0.1")
        #expect(target.port == 18_080)
        #expect(target.hostHeader == "127.0.0.1:18080")
        #expect(try TargetURL("http://localhost").port == 80)
        #expect(try TargetURL("http://[::1]:8080").hostHeader == "[::1]:8080")
    }

    @Test(arguments: ["https://127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1:0", "http://127.0.0.1:x",
                      "http://127.0.0.1:8080/api", "http://user@127.0.0.1", "http://", "http://[::1"])
    func rejectsWhatIsNotAPlainHTTPOrigin(_ text: String) {
        #expect(throws: TargetURL.Invalid.self) { try TargetURL(text) }
    }

    @Test(arguments: ["http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:1", "http://[::1]:2"])
    func loopbackHostsAreThisMachine(_ text: String) throws {
        #expect(try TargetURL(text).isLoopback)
    }

    @Test(arguments: ["http://10.0.0.1:8080", "http://192.168.1.10", "http://example.com", "http://127.0.0.1.example.com",
                      "http://0.0.0.0:8080", "http://[::2]:80", "http://128.0.0.1"])
    func otherHostsAreRemote(_ text: String) throws {
        #expect(try !TargetURL(text).isLoopback)
    }
}
