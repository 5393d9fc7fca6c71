// swift-tools-version:6.1
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let propertyBased: Target.Dependency = .product(name: "PropertyBased", package: "swift-property-based")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let coreMetrics: Target.Dependency = .product(name: "CoreMetrics", package: "swift-metrics")
// HTTP/1 over NIO: the gateway's server and its client.
let nioHTTP1: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

let package = Package(
    name: "kafka-exchange",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "exchange", targets: ["exchange"]),
        .executable(name: "exchange-bench", targets: ["exchange-bench"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "KafkaEmbedded", targets: ["KafkaEmbedded"]),
        .library(name: "MatchingEngine", targets: ["MatchingEngine"]),
        // The engine behind the public matching-engine challenge's C ABI, as the shared library its harness loads.
        .library(name: "MatchingEngineChallenge", type: .dynamic, targets: ["MatchingEngineChallenge"]),
        .library(name: "StreamAnalytics", targets: ["StreamAnalytics"]),
        .library(name: "ExchangeVocabulary", targets: ["ExchangeVocabulary"]),
        .library(name: "ExchangeRecords", targets: ["ExchangeRecords"]),
        .library(name: "ExchangeStreams", targets: ["ExchangeStreams"]),
        .library(name: "Gateway", targets: ["Gateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // Gateway: HTTP server (no swift-configuration trait), WebSocket, SHA-256/HMAC/RSA for keys and JWTs, NIO HTTP client.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // History: SQLite by default, PostgreSQL for deployments.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // MARK: Kafka edge
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(name: "Kafka", dependencies: ["CRdKafka", serviceLifecycle, logging]),
        // librdkafka's in-process mock cluster, for development, demos, benchmarks and tests.
        .target(name: "KafkaEmbedded", dependencies: ["Kafka", "CRdKafka", serviceLifecycle, logging]),

        // MARK: Process allocator (jemalloc: glibc's malloc was the pipeline's bottleneck)
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        .target(name: "MemoryAllocator", dependencies: ["CJemalloc"]),

        // MARK: Pure domain (no I/O)
        // The domain's words and its one order rule, shared by gateway, records and engine.
        .target(name: "ExchangeVocabulary"),
        .target(name: "MatchingEngine", dependencies: ["ExchangeVocabulary"]),
        // The C functions of the matching-engine challenge (docs/benchmarks.md#matching-engine-challenge) over the engine.
        .target(name: "MatchingEngineChallenge", dependencies: ["MatchingEngine"]),
        .target(name: "StreamAnalytics"),
        .target(name: "ExchangeRecords", dependencies: ["ExchangeVocabulary"]),
        // Candles from trades: 1-minute candles and the coarser intervals derived from them; the history's query side.
        .target(name: "History", dependencies: ["ExchangeRecords"]),
        // Foundation Codable twins and random records: the reference the codecs are tested and benchmarked against.
        .target(name: "ExchangeRecordsReference", dependencies: ["ExchangeRecords"]),
        // The engine's reference workload (glibc rand(), the fixed order stream, its fill hash): for tests and benchmarks.
        .target(name: "ExchangeTestSupport", dependencies: ["MatchingEngine", "History", "ExchangeRecords"]),

        // MARK: Stages and gateway
        // The one metrics registry (Prometheus text), written by the gateway and, as the swift-metrics backend, by the stages.
        .target(name: "ExchangeMetrics", dependencies: [coreMetrics]),
        .target(
            name: "ExchangeStreams",
            dependencies: ["Kafka", "MatchingEngine", "StreamAnalytics", "ExchangeRecords", serviceLifecycle, logging, metrics]
        ),
        // The history stage and its stores: trades and candles in SQLite (GRDB) or PostgreSQL, with the input positions.
        .target(
            name: "HistoryStore",
            dependencies: [
                "History", "Kafka", "ExchangeRecords", "ExchangeStreams", serviceLifecycle, logging, metrics,
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "History", "Kafka", "MatchingEngine", "ExchangeVocabulary", "ExchangeRecords", "ExchangeStreams", "ExchangeMetrics",
                serviceLifecycle, logging,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ] + nioHTTP1,
            // The trading screen's files, compiled into the binary (`Gateway+UI.swift`): nothing to install beside it.
            resources: [.embedInCode("UI/assets/index.html"), .embedInCode("UI/assets/app.js"), .embedInCode("UI/assets/app.css")]
        ),
        // The gateway's own HTTP/WebSocket client and load generator, for the CLI, the benchmark and the tests.
        .target(
            name: "GatewayClient",
            dependencies: [
                "Gateway", "ExchangeRecords", logging,
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ] + nioHTTP1
        ),

        // MARK: Executables
        .executableTarget(
            name: "exchange",
            dependencies: [
                "Kafka", "KafkaEmbedded", "MatchingEngine", "StreamAnalytics", "ExchangeRecords", "ExchangeStreams", "Gateway",
                "GatewayClient", "ExchangeMetrics", "MemoryAllocator", "History", "HistoryStore", argumentParser, serviceLifecycle, logging,
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(name: "CKafkaBench", dependencies: ["CRdKafka"]),
        .executableTarget(
            name: "exchange-bench",
            dependencies: [
                "Kafka", "KafkaEmbedded", "MatchingEngine", "StreamAnalytics", "ExchangeRecords", "ExchangeStreams", "Gateway",
                "GatewayClient", "CKafkaBench", "ExchangeRecordsReference", "ExchangeTestSupport", "MemoryAllocator", "History",
                "HistoryStore", argumentParser,
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // MARK: Tests
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "KafkaEmbedded", "ExchangeTestSupport"]),
        .testTarget(name: "ExchangeMetricsTests", dependencies: ["ExchangeMetrics", coreMetrics]),
        .testTarget(name: "MemoryAllocatorTests", dependencies: ["MemoryAllocator"]),
        .testTarget(name: "ExchangeVocabularyTests", dependencies: ["ExchangeVocabulary"]),
        .testTarget(name: "MatchingEngineTests", dependencies: ["MatchingEngine", "ExchangeTestSupport", propertyBased]),
        .testTarget(name: "MatchingEngineChallengeTests", dependencies: ["MatchingEngineChallenge"]),
        .testTarget(name: "StreamAnalyticsTests", dependencies: ["StreamAnalytics", propertyBased]),
        .testTarget(name: "ExchangeRecordsTests", dependencies: ["ExchangeRecords", "ExchangeRecordsReference", propertyBased]),
        .testTarget(
            name: "HistoryTests",
            dependencies: [
                "History", "HistoryStore", "Kafka", "KafkaEmbedded", "ExchangeRecords", "ExchangeStreams", "ExchangeTestSupport", propertyBased, logging,
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(name: "ExchangeStreamsTests", dependencies: ["ExchangeStreams", "Kafka", "KafkaEmbedded", "MatchingEngine", "StreamAnalytics", "ExchangeRecords"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "GatewayClient", "Kafka", "KafkaEmbedded", "ExchangeRecords", "ExchangeStreams", "History", "HistoryStore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
        .testTarget(
            name: "DeploymentTests",
            dependencies: ["ExchangeRecords", "ExchangeStreams", "Kafka", "History", "HistoryStore", "ExchangeTestSupport", .product(name: "Yams", package: "Yams")],
            // The browser test's Selenium script, run by BrowserUITests from the repository.
            exclude: ["Browser"]
        ),
    ]
)
