import ExchangeRecords
import ExchangeStreams
import ExchangeTestSupport
import Foundation
import History
import HistoryStore
import Kafka
import KafkaEmbedded
import Testing

/// The history stage against an embedded cluster: it stores what `matched_trades` and the analytics topics hold, once, and a new instance
/// on the same database resumes from the database's positions.
@Suite(.timeLimit(.minutes(3))) struct HistoryStageTests {
    static let partitions = 2

    @Test func storesTheTopicOnceAndResumesFromTheDatabase() async throws {
        let cluster = try EmbeddedKafka()
        let settings = StreamsSettings(brokerKind: .embedded, bootstrapServers: cluster.bootstrapServers, partitions: Self.partitions)
        try cluster.createTopics(Topology.specifications(partitions: Self.partitions, of: HistoryStage.topics))
        let path = temporaryHistoryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteHistoryDatabase(path: path)
        let trades = HistoryWorkload.trades(count: 3_000, seed: 5)

        let (sma, profits, tops) = HistoryWorkload.analytics(count: 400, seed: 5)

        // The first half, with some trades written twice (as a matcher restarting from its snapshot writes them).
        try await produce(Array(trades[..<1_500]) + Array(trades[100..<200]), settings)
        try await produceAnalytics(Array(sma[..<200]), Array(profits[..<200]), Array(tops[..<60]), settings)
        let first = Task { try await HistoryStage(settings: settings, database: database, partitions: Self.partitions).runUntilCancelled() }
        try await waitUntilStored(database, settings)
        first.cancel()
        _ = await first.result
        #expect(try await database.tradeCount() == 1_500)

        // The rest while no stage runs; a new one reads only those.
        try await produce(Array(trades[1_500...]), settings)
        try await produceAnalytics(Array(sma[200...]), Array(profits[200...]), Array(tops[60...]), settings)
        let second = Task { try await HistoryStage(settings: settings, database: database, partitions: Self.partitions).runUntilCancelled() }
        try await waitUntilStored(database, settings)
        second.cancel()
        _ = await second.result

        #expect(try await database.tradeCount() == trades.count)
        #expect(try await allCandles(database) == HistoryWorkload.referenceCandles(trades))
        // The analytics tables hold each window's last record.
        for symbol in Set(sma.map(\.stockSymbol)) {
            #expect(
                try await database.movingAverages(symbol: symbol, from: Int64.min, to: Int64.max)
                    == lastOfEachWindow(sma.filter { $0.stockSymbol == symbol }, start: \.windowStart))
            #expect(
                try await database.profits(symbol: symbol, from: Int64.min, to: Int64.max)
                    == lastOfEachWindow(profits.filter { $0.stockSymbol == symbol }, start: \.windowStart))
        }
        #expect(try await database.topProfits(from: Int64.min, to: Int64.max) == lastOfEachWindow(tops, start: \.windowStart))
        await database.close()
        cluster.stop()
    }

    /// Writes analytics records as the analytics stages do: keyed and partitioned by symbol (`top_profit`: one
    /// partition, keyed by window).
    func produceAnalytics(_ sma: [SimpleMovingAverage], _ profits: [StockProfit], _ tops: [TopProfit], _ settings: StreamsSettings) async throws {
        let producer = try await KafkaProducer(configuration: settings.producerConfiguration)
        func keyed(_ topic: Topology.Topic, _ symbol: String, _ start: Int64, _ value: [UInt8]) -> KafkaProducerMessage {
            KafkaProducerMessage(
                topic: topic.name, partition: Topology.partition(ofSymbol: symbol, partitions: Self.partitions),
                key: Array("\(symbol)@\(start)".utf8), value: value)
        }
        let messages =
            sma.map { keyed(Topology.smaHoppingTable, $0.stockSymbol, $0.windowStart, $0.encoded()) }
            + profits.map { keyed(Topology.stockProfit, $0.stockSymbol, $0.windowStart, $0.encoded()) }
            + tops.map { KafkaProducerMessage(topic: Topology.topProfit.name, partition: 0, key: Array("\($0.windowStart)".utf8), value: $0.encoded()) }
        let reports = try await producer.sendAndAwait(contentsOf: messages)
        await producer.close()
        #expect(reports.allSatisfy { $0.error == nil })
    }

    func produce(_ trades: [HistoryTrade], _ settings: StreamsSettings) async throws {
        let producer = try await KafkaProducer(configuration: settings.producerConfiguration)
        let messages = trades.map {
            KafkaProducerMessage(
                topic: Topology.matchedTrades.name, partition: Topology.partition(ofSymbol: $0.symbol, partitions: Self.partitions),
                key: Array($0.symbol.utf8), value: HistoryWorkload.record($0).encoded())
        }
        let reports = try await producer.sendAndAwait(contentsOf: messages)
        await producer.close()
        #expect(reports.allSatisfy { $0.error == nil })
    }

    /// Waits until the database's positions reach the end of every partition the stage reads.
    func waitUntilStored(_ database: any HistoryDatabase, _ settings: StreamsSettings) async throws {
        let consumer = try await KafkaConsumer(configuration: settings.kafka)
        var ends: [KafkaTopicPartition: Int64] = [:]
        for topic in HistoryStage.topics {
            for p in 0..<Int32(topic.partitions(Self.partitions)) {
                let tp = KafkaTopicPartition(topic.name, p)
                ends[tp] = try await consumer.queryWatermarks(tp).high
            }
        }
        await consumer.close()
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let positions = Dictionary(try await database.positions().map { (KafkaTopicPartition($0.topic, $0.partition), $0.nextOffset) }) { a, _ in a }
            if ends.allSatisfy({ $0.value == 0 || positions[$0.key] == $0.value }) { return }
            guard ContinuousClock.now < deadline else {
                Issue.record("the history did not reach \(ends) within 60 s (at \(positions))")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
