import ExchangeMetrics
import ExchangeRecords
import ExchangeStreams
import History
import Hummingbird
import Kafka
import Logging
import ServiceLifecycle

/// The whole gateway as one swift-service-lifecycle `Service`: the HTTP/WebSocket server, the
/// `incoming_orders` producer and the read-model consumer. `exchange gateway` runs it alone;
/// `exchange run` adds it to its service group beside the stages.
public final class GatewayService: Service {
    public struct Options: Sendable {
        public var http = GatewayConfiguration()
        public var kafka: KafkaConfiguration
        public var instruments: [InstrumentRules] = InstrumentRules.seed
        /// Answer 202 only after the brokers acknowledged the record (acks=all), so a gateway that crashes after
        /// answering has lost nothing; `false` answers once the record is queued in the producer (faster, but a
        /// crash within the linger or a broker outage longer than `message.timeout.ms` loses an answered order).
        public var waitForAcknowledgement = true
        /// Partitions for topics the gateway creates when they are missing.
        public var partitions = 4
        /// Read-model bounds per trader: finished orders and fills kept (newest first; open orders are always kept).
        public var terminalOrdersPerTrader = 10_000
        public var tradesPerTrader = 10_000
        /// Where the gateway counts, and what its `/metrics` shows: in `exchange run`, the registry the stages count
        /// in too.
        public var metrics = MetricsRegistry()
        /// The history database the history routes read (`--history-db`); nil: they answer 503.
        public var history: (any HistoryReader)?

        public init(kafka: KafkaConfiguration) {
            self.kafka = kafka
        }
    }

    public let options: Options
    public let readModel: ReadModel
    let logger: Logger
    /// Called with the bound port once the server listens (port 0 picks one).
    let onListening: @Sendable (Int) async -> Void

    public init(options: Options, logger: Logger = Logger(label: "exchange.gateway"), onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.options = options
        self.readModel = ReadModel(terminalOrdersPerTrader: options.terminalOrdersPerTrader, tradesPerTrader: options.tradesPerTrader)
        self.logger = logger
        self.onListening = onListening
    }

    /// The topics the gateway writes or reads: `run()` creates those missing, with `options.partitions` (on an embedded
    /// cluster, which cannot be asked for topics, whoever runs it creates them first).
    public static let topics = Topology.topics.filter { $0.writers.contains(.gateway) || $0.readers.contains(.gateway) } + [Topology.instruments]

    public func run() async throws {
        var producerConfiguration = options.kafka
        // Same partitioner as Java clients and ksqlDB, so a symbol lands where they would put it.
        producerConfiguration.properties["partitioner"] = producerConfiguration.properties["partitioner"] ?? "murmur2_random"
        producerConfiguration.acks = .all
        producerConfiguration.enableIdempotence = true
        let partitions = try await Topology.create(GatewayService.topics, partitions: options.partitions, kafka: options.kafka, logger: logger)

        let producer = try await KafkaProducer(configuration: producerConfiguration, logger: logger)
        let readModel = self.readModel
        let logger = self.logger
        let metrics = options.metrics
        let sink = KafkaOrderSink(producer: producer, waitForAcknowledgement: options.waitForAcknowledgement) { command, error in
            metrics.increment("exchange_gateway_orders_undelivered_total")
            logger.error("an accepted order command was never delivered", metadata: ["order_id": "\(command.orderId ?? "-")", "error": "\(error)"])
            // A new order leaves PENDING for REJECTED; a cancel or modify that never arrived leaves its order as the
            // log has it.
            guard case .new(let order) = command else { return }
            readModel.recordUndelivered(orderId: order.orderId, reason: "NOT_DELIVERED", timestamp: Gateway.nowMillis())
        }
        let feeder = ReadModelFeeder(model: readModel, configuration: options.kafka, logger: logger)
        let gateway = Gateway(
            configuration: options.http, instruments: options.instruments, sink: sink, readModel: readModel, metrics: options.metrics,
            history: options.history,
            status: {
                [
                    ("exchange_gateway_read_model_caught_up", "1 once the read model replayed the log present at start.", feeder.caughtUp ? 1 : 0),
                    ("exchange_gateway_read_model_undecodable", "Records the read model could not decode.", feeder.undecodable),
                    ("exchange_gateway_producer_outstanding", "Records queued in the producer, not yet acknowledged.", Int64(producer.outstandingCount)),
                    ("exchange_gateway_producer_delivery_failures", "Records the producer failed to deliver.", Int64(producer.deliveryFailureCount)),
                ]
            })
        let follower = InstrumentFollower(table: gateway.instruments, hub: readModel.hub, configuration: options.kafka, logger: logger)
        let app = gateway.application(logger: logger, onListening: onListening)
        let group = ServiceGroup(
            services: [
                producer, FeederService(feeder: feeder, partitions: partitions, logger: logger),
                InstrumentFollowerService(follower: follower, logger: logger), app,
            ],
            gracefulShutdownSignals: [], logger: logger)
        try await group.run()
    }
}

/// Runs the read-model consumer until graceful shutdown.
struct FeederService: Service {
    let feeder: ReadModelFeeder
    let partitions: [String: Int]
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await feeder.run(partitions: partitions) }
        } catch is CancellationError {
        } catch {
            logger.error("read model consumer stopped", metadata: ["error": "\(error)"])
            throw error
        }
    }
}

/// Follows the `instruments` topic until graceful shutdown.
struct InstrumentFollowerService: Service {
    let follower: InstrumentFollower
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await follower.run() }
        } catch is CancellationError {
        } catch {
            logger.error("instruments consumer stopped", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
