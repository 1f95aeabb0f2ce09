import Redis
import Testing

@Suite struct RedisConfigurationTests {
    @Test func hostAloneTakesDefaultPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal")
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
    }

    @Test func passwordPortAndDatabaseAreRead() throws {
        let configuration = try RedisConfiguration(url: "redis://:s3cret@10.0.0.5:6380/3")
        #expect(configuration.host == "10.0.0.5")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 3)
        #expect(configuration.username == nil)
        #expect(configuration.password == "s3cret")
    }

    @Test func userAndPercentEncodedPasswordAreRead() throws {
        let configuration = try RedisConfiguration(url: "redis://booking:p%40ss%3Aword@redis.internal:6379/1")
        #expect(configuration.username == "booking")
        #expect(configuration.password == "p@ss:word")
        #expect(configuration.host == "redis.internal")
        #expect(configuration.database == 1)
    }

    @Test func ipv6HostIsRead() throws {
        let configuration = try RedisConfiguration(url: "redis://[::1]:6390/2")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 6390)
        #expect(configuration.database == 2)
    }

    @Test func aClusterIsNamedByItsSeedNodes() throws {
        let configuration = try RedisConfiguration(url: "redis-cluster://:pw@10.0.0.1:7000,10.0.0.2,[::1]:7002/")
        #expect(configuration.isCluster)
        #expect(configuration.clusterSeeds == [
            .init(host: "10.0.0.1", port: 7000), .init(host: "10.0.0.2", port: 6379), .init(host: "::1", port: 7002),
        ])
        #expect(configuration.password == "pw")
        #expect(configuration.database == 0)
        #expect(try RedisConfiguration(url: "REDIS-CLUSTER://h:1").clusterSeeds == [.init(host: "h", port: 1)])
        #expect(try RedisConfiguration(url: "redis://h:1").isCluster == false)
    }

    @Test func trailingSlashMeansDatabaseZero() throws {
        #expect(try RedisConfiguration(url: "redis://127.0.0.1:63790/").database == 0)
    }

    @Test(arguments: [
        ("127.0.0.1:6379", "expected redis://"),
        ("http://127.0.0.1:6379", "unknown scheme 'http'"),
        ("rediss://127.0.0.1:6379", "TLS"),
        ("redis://", "host is missing"),
        ("redis://:6379/0", "host is missing"),
        ("redis://127.0.0.1:abc/0", "port 'abc'"),
        ("redis://127.0.0.1:70000/0", "port '70000'"),
        ("redis://127.0.0.1:6379/x", "database 'x'"),
        ("redis://127.0.0.1:6379/-1", "database '-1'"),
        ("redis://127.0.0.1:6379/0?timeout=1", "query"),
        ("redis://onlyuser@127.0.0.1", "need a password"),
        ("redis://:bad%zzpw@127.0.0.1", "percent-encoding"),
        ("redis://a:1,b:2", "redis-cluster://"),
        ("redis-cluster://a:1,,b:2", "host is missing"),
        ("redis-cluster://a:1,b:x", "port 'x'"),
        ("redis-cluster://a:1,b:2/3", "database 0 only"),
        ("redis-cluster://", "host is missing"),
    ])
    func malformedURLIsRejectedWithItsReason(url: String, reason: String) throws {
        let error = try #require(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.description.contains(reason), "\(error.description)")
    }

    @Test func errorMessageNeverRepeatsThePassword() throws {
        let error = try #require(throws: RedisError.self) {
            try RedisConfiguration(url: "redis://:topsecret@127.0.0.1:notaport/0")
        }
        #expect(!error.description.contains("topsecret"))
    }
}
