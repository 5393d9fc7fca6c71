import ExchangeRecords
import Kafka
import Logging
import Synchronization

/// Rebuilds the read model from Kafka: reads every partition of `execution_reports`,
/// `matched_trades` and the analytics topics from the beginning (manual assignment, no
/// consumer group offsets: every gateway instance needs the whole picture), then follows them.
///
/// A record that does not decode is counted and logged, never fatal: the read side must not
/// stop serving because one record is bad (the stage that wrote it dead-letters its own input).
public final class ReadModelFeeder: Sendable {
    public static let topics = Topology.topics.filter { $0.readers.contains(.gateway) }.map(\.name)

    public let model: ReadModel
    let configuration: KafkaConfiguration
    let logger: Logger
    private let progress = Mutex(Progress())

    struct Progress {
        var undecodable: Int64 = 0
        var applied: Int64 = 0
        /// High watermarks at start; the model is "caught up" once every partition passed its mark.
        var startMarks: [KafkaTopicPartition: Int64] = [:]
        var positions: [KafkaTopicPartition: Int64] = [:]
    }

    public init(model: ReadModel, configuration: KafkaConfiguration, logger: Logger = Logger(label: "exchange.gateway.read-model")) {
        self.model = model
        self.configuration = configuration
        self.logger = logger
    }

    public var undecodable: Int64 { progress.withLock { $0.undecodable } }

    /// True once the records that existed at start have all been applied.
    public var caughtUp: Bool {
        progress.withLock { p in
            !p.startMarks.isEmpty && p.startMarks.allSatisfy { tp, mark in mark == 0 || (p.positions[tp] ?? 0) >= mark }
        }
    }

    /// Consumes until cancelled. `partitions` gives each topic's partition count.
    public func run(partitions: [String: Int]) async throws {
        var consumerConfiguration = configuration
        consumerConfiguration.groupId = consumerConfiguration.groupId ?? "exchange-gateway-read-model"
        consumerConfiguration.autoOffsetReset = .earliest
        consumerConfiguration.enableAutoCommit = false
        let consumer = try await KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        var assignment: [KafkaTopicPartition: KafkaOffset] = [:]
        var marks: [KafkaTopicPartition: Int64] = [:]
        for topic in ReadModelFeeder.topics {
            for p in 0..<(partitions[topic] ?? 0) {
                let tp = KafkaTopicPartition(topic, Int32(p))
                assignment[tp] = .beginning
                marks[tp] = (try? await consumer.queryWatermarks(tp, timeout: .seconds(5)))?.high ?? 0
            }
        }
        progress.withLock { $0.startMarks = marks }
        try await consumer.assign(assignment)
        try await withTaskCancellationHandler {
            for try await event in consumer.events {
                guard case .messages(let batch) = event else { continue }
                for message in batch { apply(message) }
                progress.withLock { p in
                    for (tp, next) in batch.nextOffsets { p.positions[tp] = next }
                }
            }
        } onCancel: {
            Task { await consumer.close() }
        }
    }

    func apply(_ message: KafkaMessage) {
        guard let value = message.value else { return }
        let ok: Bool = value.withUnsafeBytes { bytes in
            ReadModelFeeder.apply(topic: message.topic, partition: message.partition, bytes: bytes, to: model)
        }
        progress.withLock { p in if ok { p.applied += 1 } else { p.undecodable += 1 } }
        if !ok {
            logger.warning("undecodable record", metadata: ["topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)"])
        }
    }

    /// Decodes one record of `topic` and applies it; false when it does not decode.
    /// Exposed for tests and tools that replay records without a consumer.
    @discardableResult
    public static func apply(topic: String, partition: Int32, bytes: UnsafeRawBufferPointer, to model: ReadModel) -> Bool {
        do {
            switch topic {
            case Topology.executionReports.name:
                let r = try ExecutionReport.decode(json: bytes)
                model.apply(ExecutionEvent(
                    orderId: r.orderId, traderId: r.traderId ?? ReadModel.unattributed, symbol: r.symbol, side: r.side.rawValue, status: r.status.rawValue,
                    reason: r.reason, priceMicros: r.price?.micros, quantity: r.quantity, filledQuantity: r.filledQuantity,
                    leavesQuantity: r.leavesQuantity, lastPriceMicros: r.lastPrice?.micros, lastQuantity: r.lastQuantity,
                    lastTradeId: r.tradeId, orderType: r.orderType?.rawValue, timeInForce: r.timeInForce?.rawValue,
                    validityTTL: r.validityTTL, expireAt: r.expireAt, clientOrderId: r.clientOrderId, orderTimestamp: r.orderTimestamp,
                    partition: partition, seq: r.seq, timestamp: r.timestamp))
            case Topology.matchedTrades.name:
                if isTick(bytes) { return true }
                let t = try MatchedTrade.decode(json: bytes)
                model.apply(TradeEvent(
                    tradeId: t.tradeId, symbol: t.buyStockSymbol, priceMicros: t.price.micros, quantity: t.quantity,
                    buyOrderId: t.buyOrderId, sellOrderId: t.sellOrderId, buyTraderId: t.buyTraderId ?? ReadModel.unattributed, sellTraderId: t.sellTraderId ?? ReadModel.unattributed,
                    aggressorSide: t.aggressorSide.rawValue, tradeTime: t.tradeTime, partition: partition, seq: t.seq))
            case Topology.smaHoppingTable.name:
                _ = try SimpleMovingAverage.decode(json: bytes)
                return applyAnalytics(.sma, bytes, model)
            case Topology.stockProfit.name:
                _ = try StockProfit.decode(json: bytes)
                return applyAnalytics(.profit, bytes, model)
            case Topology.topProfit.name:
                _ = try TopProfit.decode(json: bytes)
                return applyAnalytics(.topProfit, bytes, model)
            default:
                return false
            }
            return true
        } catch {
            return false
        }
    }

    static func applyAnalytics(_ kind: AnalyticsEvent.Kind, _ bytes: UnsafeRawBufferPointer, _ model: ReadModel) -> Bool {
        guard let record = try? JSONValue.parse(bytes), let event = AnalyticsEvent(kind: kind, record: record) else { return false }
        model.apply(event)
        return true
    }

    static func isTick(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let record = try? JSONValue.parse(bytes) else { return false }
        return record["type"] == .string("TICK")
    }
}
