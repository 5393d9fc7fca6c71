import ExchangeRecords
import Kafka
import Logging
import Synchronization

/// Follows the compacted `instruments` topic — from the beginning, then tailing — into the gateway's
/// `InstrumentTable`, so orders for a symbol listed, halted or delisted while the gateway runs get the right answer
/// without a restart, and every gateway converges on the same table (the latest value per symbol). Each change of a
/// symbol's status or definition goes to every WebSocket client as an `instrument` frame.
public final class InstrumentFollower: Sendable {
    public let table: InstrumentTable
    let hub: MarketDataHub
    let configuration: KafkaConfiguration
    let logger: Logger
    private let counts = Mutex((applied: Int64(0), undecodable: Int64(0)))

    public init(table: InstrumentTable, hub: MarketDataHub, configuration: KafkaConfiguration, logger: Logger = Logger(label: "exchange.gateway.instruments")) {
        self.table = table
        self.hub = hub
        self.configuration = configuration
        self.logger = logger
    }

    /// Records applied, and records that did not decode (skipped, logged).
    public var applied: Int64 { counts.withLock { $0.applied } }
    public var undecodable: Int64 { counts.withLock { $0.undecodable } }

    /// Consumes until cancelled.
    public func run() async throws {
        var consumerConfiguration = configuration
        consumerConfiguration.groupId = consumerConfiguration.groupId ?? "exchange-gateway-instruments"
        consumerConfiguration.autoOffsetReset = .earliest
        consumerConfiguration.enableAutoCommit = false
        let consumer = try await KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        try await consumer.assign([KafkaTopicPartition(Topology.instruments.name, 0): .beginning])
        try await withTaskCancellationHandler {
            for try await event in consumer.events {
                guard case .messages(let batch) = event else { continue }
                for message in batch { apply(message) }
            }
        } onCancel: {
            Task { await consumer.close() }
        }
    }

    func apply(_ message: KafkaMessage) {
        // A tombstone removes nothing: a symbol's orders may still be in the read model; DELISTED is how one leaves.
        guard let value = message.value else { return }
        guard let record = try? ExchangeRecords.Instrument.decode(json: value) else {
            counts.withLock { $0.undecodable += 1 }
            logger.warning("undecodable instruments record", metadata: ["offset": "\(message.offset)"])
            return
        }
        counts.withLock { $0.applied += 1 }
        if let entry = table.apply(record) { hub.publishToAll(Gateway.statusFrame(entry)) }
    }
}
