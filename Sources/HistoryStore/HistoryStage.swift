import ExchangeRecords
import ExchangeStreams
import History
import Kafka
import Logging
import Metrics
import ServiceLifecycle

/// `exchange history`: reads `matched_trades` and the final analytics (`SMA_HOPPING_TABLE`, `stock_profit`,
/// `top_profit`) into a history database, exactly once.
///
/// A sink, so it needs none of the stage runner's snapshots: it assigns the partitions itself from the positions the
/// database holds (the beginning where it holds none), never from Kafka commits, and stores each batch's trades, their
/// candles and the batch's next offsets in one transaction. A `kill -9` at any point leaves the database at the end of
/// some batch; the restart reads from there, and a trade seen twice (the matcher's duplicate after its own crash, or
/// a batch that commits after a restart re-read it) is stored once, by identity.
public struct HistoryStage: Service {
    public let settings: StreamsSettings
    public let database: any HistoryDatabase
    /// Partitions of `matched_trades`.
    public let partitions: Int
    public let logger: Logger

    public static let topics = Topology.topics.filter { $0.readers.contains(.history) }

    /// Records a consumer batch, and so a transaction, holds at most. A transaction costs a few milliseconds beyond
    /// its rows (round trips, the candles' stored hours): at 4,096 that was a tenth of PostgreSQL's time. A live
    /// stream gives smaller batches anyway; a stage catching up gets the larger ones.
    public static let batchSize = 16_384

    public init(settings: StreamsSettings, database: any HistoryDatabase, partitions: Int, logger: Logger = Logger(label: "exchange.history")) {
        self.settings = settings
        self.database = database
        self.partitions = partitions
        self.logger = logger
    }

    /// Runs until graceful shutdown; restarts from the database's positions after a failure (a broker or database
    /// away for a while). A `StageError` (the log no longer holds the position) needs a person and stops it.
    public func run() async throws {
        try await runRestarting("history", from: "the database's positions", logger: logger) { try await runUntilCancelled() }
    }

    public func runUntilCancelled() async throws {
        var configuration = settings.consumerConfiguration
        configuration.groupId = "exchange-history"
        configuration.clientId = "exchange-history-consumer"
        configuration.enableAutoCommit = false
        configuration.consumerBatchSize = Self.batchSize
        // A position the log no longer holds is an error, not a silent skip to whatever is there.
        configuration.autoOffsetReset = .error
        let consumer = try await KafkaConsumer(configuration: configuration, logger: logger)
        let stored = Dictionary(try await database.positions().map { (KafkaTopicPartition($0.topic, $0.partition), $0.nextOffset) }) { a, _ in a }
        var assignment: [KafkaTopicPartition: KafkaOffset] = [:]
        for topic in Self.topics {
            for p in 0..<Int32(topic.partitions(partitions)) {
                let tp = KafkaTopicPartition(topic.name, p)
                if let next = stored[tp] {
                    let marks = try await consumer.queryWatermarks(tp)
                    guard next <= marks.high else {
                        await consumer.close()
                        throw StageError(
                            "history: the database has read \(tp) up to offset \(next), but the log ends at \(marks.high): "
                                + "it holds the history of another cluster (or the topic was recreated); use another --history-db")
                    }
                    assignment[tp] = .offset(next)
                } else {
                    assignment[tp] = .beginning
                }
            }
        }
        try await consumer.assign(assignment)
        logger.info("history: reading \(assignment.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" })")
        let storedCount = Counter(label: "exchange_history_trades_stored_total")
        let duplicates = Counter(label: "exchange_history_duplicates_dropped_total")
        let undecodable = Counter(label: "exchange_history_undecodable_total")
        do {
            for try await event in consumer.events {
                guard case .messages(let batch) = event, !batch.isEmpty else { continue }
                var trades: [HistoryTrade] = []
                var analytics = AnalyticsBatch()
                trades.reserveCapacity(batch.count)
                for message in batch {
                    // A tombstone deletes nothing: the analytics never write one, and the history outlives retention.
                    guard let value = message.value else { continue }
                    do {
                        switch message.topic {
                        case Topology.matchedTrades.name: trades.append(HistoryTrade(try MatchedTrade.decode(json: value)))
                        case Topology.smaHoppingTable.name: analytics.movingAverages.append(try SimpleMovingAverage.decode(json: value))
                        case Topology.stockProfit.name: analytics.profits.append(try StockProfit.decode(json: value))
                        case Topology.topProfit.name: analytics.topProfits.append(try TopProfit.decode(json: value))
                        default: continue
                        }
                    } catch {
                        // Not fatal: the stages dead-letter their own bad input, and the history must keep up.
                        undecodable.increment()
                        logger.warning("history: undecodable record at \(message.topicPartition)@\(message.offset): \(error)")
                    }
                }
                let positions = batch.nextOffsets.map { InputPosition(topic: $0.key.topic, partition: $0.key.partition, nextOffset: $0.value) }
                let added = try await database.append(trades, analytics: analytics, positions: positions)
                storedCount.increment(by: added)
                duplicates.increment(by: trades.count - added)
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }
}

extension HistoryTrade {
    /// The history's view of a `matched_trades` record.
    public init(_ trade: MatchedTrade) {
        self.init(
            tradeId: trade.tradeId, symbol: trade.buyStockSymbol, tradeTime: trade.tradeTime, seq: trade.seq,
            priceMicros: trade.price.micros, quantity: trade.quantity, buyOrderId: trade.buyOrderId,
            sellOrderId: trade.sellOrderId, aggressorSide: trade.aggressorSide.rawValue)
    }
}
