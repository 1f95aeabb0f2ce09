// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "seat-reservation-engine",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "BookingServer", targets: ["BookingServer"]),
        .executable(name: "QueueWorker", targets: ["QueueWorker"]),
        .executable(name: "BookingBench", targets: ["BookingBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // NIOHTTPTypes: the request and response parts that the transport limits' handlers see.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // System-library shims: one per C client that Debian ships.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),

        // A bounded pool and the backoff between retries, shared by the clients; knows nothing of
        // any protocol.
        .target(
            name: "ConnectionPool",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // Swift clients over the C libraries. No C pointer leaves these modules.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                "ConnectionPool",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis",
                "ConnectionPool",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AMQP",
            dependencies: [
                "CRabbitMQ",
                "ConnectionPool",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The booking rules, with the stores behind ports: no HTTP, SQL, Lua or C pointer here.
        .target(
            name: "BookingCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // A strict RFC 8259 reader and a writer with no intermediate strings. No booking knowledge.
        .target(name: "StrictJSON", swiftSettings: swiftSettings),

        // The HTTP API's wire format: requests, identifiers and limits, cursors.
        .target(name: "BookingAPI", dependencies: ["StrictJSON"], swiftSettings: swiftSettings),

        // The properties the fuzzers check on the parsers of untrusted request bytes (JSON bodies,
        // percent-decoding with the user_id rules, page cursors), and the executable that runs them:
        // under libFuzzer when `scripts/fuzz` builds it with `-sanitize=fuzzer,address -D FUZZING`,
        // else as a replay tool over saved inputs.
        .target(name: "FuzzTargets", dependencies: ["BookingAPI", "StrictJSON"], swiftSettings: swiftSettings),
        .executableTarget(name: "BookingFuzz", dependencies: ["FuzzTargets"], swiftSettings: swiftSettings),

        // The message contract: exchange, routing keys, queues and the body codec, for the
        // outbox relay that publishes and the worker that consumes.
        .target(name: "BookingMessages", dependencies: ["BookingAPI", "StrictJSON"], swiftSettings: swiftSettings),

        // The schema of both executables, versioned, and the migrator that applies it.
        .target(
            name: "BookingSchema",
            dependencies: ["Postgres", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // What both executables report about themselves: Prometheus metrics, JSON log lines, and
        // a small /metrics server for processes without an HTTP API of their own; and the strict
        // reading of their configuration variables that both share.
        .target(
            name: "Telemetry",
            dependencies: [
                "StrictJSON",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The token claims, and the HS256 issuer of development and load-test tokens (jwt-kit).
        .target(
            name: "BookingTokens",
            dependencies: ["StrictJSON", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "BookingServer",
            dependencies: [
                "AMQP",
                "BookingAPI",
                "BookingCore",
                "BookingMessages",
                "BookingSchema",
                "BookingTokens",
                "ConnectionPool",
                "Postgres",
                "Redis",
                "StrictJSON",
                "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The event-goers' page (GET /) and the OpenAPI document (GET /openapi.json), served
            // from memory as the files are.
            resources: [.copy("Page"), .copy("OpenAPI")],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "QueueWorker",
            dependencies: [
                "AMQP",
                "BookingMessages",
                "BookingSchema",
                "ConnectionPool",
                "Postgres",
                "StrictJSON",
                "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "BookingBench",
            dependencies: [
                "BookingTokens",
                "CHiredis",
                "CLibPQ",
                "Postgres",
                "Redis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // In-memory doubles of BookingCore's ports, for unit tests; each passes the contract suite
        // of the adapter it stands for (Tests/PortContractTests).
        .target(name: "BookingCoreDoubles", dependencies: ["BookingCore"], swiftSettings: swiftSettings),

        // The documents against the repository: every path they name exists.
        .testTarget(name: "RepositoryTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "BookingTokensTests",
            dependencies: ["BookingTokens", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: swiftSettings
        ),
        // The fuzzers' seed corpus and every crash they found, through the same checks.
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"], swiftSettings: swiftSettings),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "BookingAPITests", dependencies: ["BookingAPI", "StrictJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BookingMessagesTests",
            dependencies: ["BookingMessages", "StrictJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelemetryTests",
            dependencies: [
                "Telemetry",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BookingServerTests",
            dependencies: [
                "AMQP",
                "BookingCore",
                "BookingCoreDoubles",
                "BookingMessages",
                "BookingSchema",
                "BookingServer",
                "BookingTokens",
                "Postgres",
                "QueueWorker",
                "Redis",
                "Telemetry",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BookingCoreTests",
            dependencies: ["BookingCore", "BookingCoreDoubles", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // One suite per port of BookingCore, run on the in-memory double and on the real adapter
        // against the real server.
        .testTarget(
            name: "PortContractTests",
            dependencies: ["BookingCore", "BookingCoreDoubles", "BookingServer", "Postgres", "Redis", "BookingSchema"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ConnectionPoolTests", dependencies: ["ConnectionPool"], swiftSettings: swiftSettings),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RedisTests",
            dependencies: ["Redis", "ConnectionPool", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AMQPTests", dependencies: ["AMQP", "ConnectionPool"], swiftSettings: swiftSettings),
        .testTarget(name: "QueueWorkerTests", dependencies: ["QueueWorker", "BookingMessages", "Telemetry"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BookingBenchTests",
            dependencies: [
                "BookingBench",
                "BookingTokens",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
