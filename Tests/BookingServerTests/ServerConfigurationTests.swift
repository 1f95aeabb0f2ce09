import Testing

@testable import BookingServer

@Suite("Server configuration")
struct ServerConfigurationTests {
    @Test func setValuesAreReadAndEmptyOnesKeepTheDefaults() throws {
        let configuration = try ServerConfiguration(environment: [
            "PORT": "9090", "HOST": "", "RATE_LIMIT_PER_USER": "0", "LOG_LEVEL": "Warning", "ACCESS_LOG": "1",
            "DATABASE_POOL_PREWARM": "off", "REDIS_CONNECTIONS": "4",
        ])
        #expect(!configuration.prewarmDatabasePool)
        #expect(configuration.redisConnections == 4)
        #expect(configuration.port == 9090)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.rateLimitPerUser == 0)
        #expect(configuration.logLevel == .warning)
        #expect(configuration.accessLog)
        #expect(configuration.adminToken == nil, "no default secret")
        #expect(!configuration.isTokenMode, "the trusting mode unless a key is set")
    }

    @Test func aJWTKeyTurnsTheTokenModeOn() throws {
        let secret = String(repeating: "s", count: 32)
        let configuration = try ServerConfiguration(environment: [
            "AUTH_JWT_SECRET": secret, "AUTH_JWT_ISSUER": "https://issuer.test", "AUTH_JWT_AUDIENCE": "booking-api",
        ])
        #expect(configuration.isTokenMode)
        #expect(configuration.authJWTSecret == secret)
        #expect(configuration.authJWTIssuer == "https://issuer.test")
        #expect(configuration.authJWTAudience == "booking-api")
        #expect(try ServerConfiguration(environment: ["AUTH_JWT_PUBLIC_KEYS": "/etc/keys.pem"]).isTokenMode)
    }

    @Test func theTransportLimitsDefaultForAPublicDeploymentAndTheVariablesSetThem() throws {
        let defaults = try ServerConfiguration(environment: [:]).transport
        #expect(defaults.headTimeout == .seconds(10))
        #expect(defaults.idleTimeout == .seconds(60))
        #expect(defaults.maxConnections == 10_000)
        #expect(defaults.maxHeadBytes == 16 * 1024)
        let set = try ServerConfiguration(environment: [
            "HTTP_HEAD_TIMEOUT_MS": "2500", "HTTP_IDLE_TIMEOUT_MS": "30000", "HTTP_MAX_CONNECTIONS": "500",
            "HTTP_MAX_HEAD_BYTES": "8192",
        ]).transport
        #expect(set == TransportLimits(headTimeout: .milliseconds(2500), idleTimeout: .seconds(30), maxConnections: 500, maxHeadBytes: 8192))
    }

    @Test func writesAreGroupedByDefaultAndTheWritersNeverOutnumberThePool() throws {
        let defaults = try ServerConfiguration(environment: [:]).storeGrouping
        #expect(defaults.maxGroup == 64)
        #expect(defaults.writers == 8)
        let set = try ServerConfiguration(environment: ["DATABASE_GROUP_SIZE": "1", "DATABASE_GROUP_WRITERS": "3"]).storeGrouping
        #expect(set.maxGroup == 1)
        #expect(set.writers == 3)
        let capped = try ServerConfiguration(environment: ["DATABASE_POOL_SIZE": "4", "DATABASE_GROUP_WRITERS": "16"]).storeGrouping
        #expect(capped.writers == 4)
    }

    @Test(arguments: [
        ("PORT", "70000"), ("DATABASE_POOL_SIZE", "0"), ("RATE_LIMIT_PER_USER", "-1"), ("LOG_LEVEL", "loud"),
        ("ACCESS_LOG", "maybe"), ("LOG_FORMAT", "xml"), ("DATABASE_POOL_PREWARM", "2"), ("REDIS_CONNECTIONS", "0"),
        ("AUTH_JWT_SECRET", String(repeating: "s", count: 31)),
        ("HTTP_HEAD_TIMEOUT_MS", "10s"), ("HTTP_HEAD_TIMEOUT_MS", "0"), ("HTTP_IDLE_TIMEOUT_MS", "-1"),
        ("HTTP_MAX_CONNECTIONS", "0"), ("HTTP_MAX_CONNECTIONS", "many"), ("HTTP_MAX_HEAD_BYTES", "16k"),
        ("DATABASE_GROUP_SIZE", "0"), ("DATABASE_GROUP_WRITERS", "0"), ("DATABASE_GROUP_SIZE", "lots"),
    ])
    func aMalformedValueIsAnErrorThatNamesTheVariable(name: String, value: String) {
        do {
            _ = try ServerConfiguration(environment: [name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect("\(error)".contains(name), "\(error)")
        }
    }
}

