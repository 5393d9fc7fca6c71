import ExchangeRecords
import ExchangeStreams
import Gateway
import GatewayClient
import Kafka
import KafkaEmbedded
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Runs a `GatewayService` (producer, read-model consumer, HTTP server on a free port) over `kafka`
/// for the duration of `body`, with API keys for alice and bob; shuts it down gracefully afterwards.
/// The gateway's topics are created on `embedded` first, when given (the mock cannot be asked for them).
func withGatewayService(
    kafka: KafkaConfiguration,
    embedded: EmbeddedKafka? = nil,
    partitions: Int = 2,
    configure: (inout GatewayService.Options) -> Void = { _ in },
    _ body: @Sendable (GatewayService, GatewayClient, GatewayClient) async throws -> Void
) async throws {
    var options = GatewayService.Options(kafka: kafka)
    options.http.port = 0
    options.http.rateLimitPerSecond = 0
    var keys = APIKeyStore()
    keys.add(trader: "alice", key: Keys.alice)
    keys.add(trader: "bob", key: Keys.bob)
    options.http.authenticator = Authenticator(keys: keys)
    options.partitions = partitions
    configure(&options)
    try embedded?.createTopics(Topology.specifications(partitions: options.partitions, of: GatewayService.topics))
    let port = Mutex<Int?>(nil)
    let service = GatewayService(options: options, logger: quietLogger("gateway-test")) { p in port.withLock { $0 = p } }
    let group = ServiceGroup(services: [service], gracefulShutdownSignals: [], logger: quietLogger("gateway-test"))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let bound = try await eventually("gateway listening") { port.withLock { $0 } }
            try await body(
                service,
                GatewayClient(host: "127.0.0.1", port: bound, token: Keys.alice),
                GatewayClient(host: "127.0.0.1", port: bound, token: Keys.bob))
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}

/// Polls `probe` until it returns a value (60 s at most: generous, because a loaded CI machine runs every suite at once).
func eventually<T: Sendable>(_ what: String, timeout: Duration = .seconds(60), _ probe: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}
