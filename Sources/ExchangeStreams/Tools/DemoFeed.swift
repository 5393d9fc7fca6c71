import ExchangeRecords
import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// Feeds `DemoOrderGenerator` orders into `incoming_orders` at a fixed rate — the demo flow of `exchange run`.
///
/// Stands in for the gateway, so it stamps orders with the wall clock like the gateway does. It pauses while the
/// stages lag more than `maxLag` records behind (in-process progress counters), which keeps the embedded broker's
/// ~5 MiB per partition retention from deleting records before they are read.
public struct DemoFeed: Service {
    public let settings: StreamsSettings
    /// Orders to send; 0 = until stopped.
    public let orders: Int
    public let ratePerSecond: Double
    public let maxLag: Int
    public let progress: [StageProgress]
    public let seed: UInt64
    public let logger: Logger

    public init(
        settings: StreamsSettings, orders: Int, ratePerSecond: Double, maxLag: Int = 20_000, progress: [StageProgress] = [],
        seed: UInt64 = UInt64(Date().timeIntervalSince1970), logger: Logger = Logger(label: "exchange.demo")
    ) {
        self.settings = settings
        self.orders = orders
        self.ratePerSecond = ratePerSecond
        self.maxLag = maxLag
        self.progress = progress
        self.seed = seed
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await runUntilCancelled() }
    }

    public func runUntilCancelled() async throws {
        var configuration = settings.producerConfiguration
        configuration.clientId = "exchange-demo-feed"
        let producer = try await KafkaProducer(configuration: configuration, logger: logger)
        var generator = DemoOrderGenerator(seed: seed, orderIdPrefix: "demo\(seed % 100_000)")
        let interval = Duration.seconds(1) / max(ratePerSecond, 0.001)
        var next = ContinuousClock.now
        var sent = 0
        do {
            while (orders == 0 || sent < orders) && !Task.isCancelled {
                while let slowest = progress.map(\.value).min(), sent - slowest > maxLag {
                    try await Task.sleep(for: .milliseconds(5))
                }
                let now = ContinuousClock.now
                if next > now { try await Task.sleep(until: next, clock: .continuous) }
                next += interval
                let order = generator.next(timestamp: Int64(Date().timeIntervalSince1970 * 1000))
                try await producer.send(
                    KafkaProducerMessage(topic: Topology.incomingOrders.name, key: order.stockSymbol.map { Array($0.utf8) }, value: order.encoded()))
                sent += 1
            }
            try await producer.flush()
            logger.info("demo feed sent \(sent) orders")
        } catch {
            await producer.close(flushTimeout: .zero)
            if error is CancellationError || Task.isCancelled { return }
            throw error
        }
        await producer.close()
    }
}
