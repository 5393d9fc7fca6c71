import ExchangeRecords
import ExchangeStreams
import ExchangeTestSupport
import Foundation
import History
import HistoryStore
import Kafka
import KafkaEmbedded
import Testing

/// The history stage against an embedded cluster: it stores what `matched_trades` holds, once, and a new instance
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

        // The first half, with some trades written twice (as a matcher restarting from its snapshot writes them).
        try await produce(Array(trades[..<1_500]) + Array(trades[100..<200]), settings)
        let first = Task { try await HistoryStage(settings: settings, database: database, partitions: Self.partitions).runUntilCancelled() }
        try await waitUntilStored(database, settings)
        first.cancel()
        _ = await first.result
        #expect(try await database.tradeCount() == 1_500)

        // The rest while no stage runs; a new one reads only those.
        try await produce(Array(trades[1_500...]), settings)
        let second = Task { try await HistoryStage(settings: settings, database: database, partitions: Self.partitions).runUntilCancelled() }
        try await waitUntilStored(database, settings)
        second.cancel()
        _ = await second.result

        #expect(try await database.tradeCount() == trades.count)
        #expect(try await allCandles(database) == HistoryWorkload.referenceCandles(trades))
        await database.close()
        cluster.stop()
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

    /// Waits until the database's positions reach the end of every partition of `matched_trades`.
    func waitUntilStored(_ database: any HistoryDatabase, _ settings: StreamsSettings) async throws {
        let consumer = try await KafkaConsumer(configuration: settings.kafka)
        var ends: [Int32: Int64] = [:]
        for p in 0..<Int32(Self.partitions) {
            ends[p] = try await consumer.queryWatermarks(KafkaTopicPartition(Topology.matchedTrades.name, p)).high
        }
        await consumer.close()
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let positions = Dictionary(try await database.positions().map { ($0.partition, $0.nextOffset) }) { a, _ in a }
            if ends.allSatisfy({ $0.value == 0 || positions[$0.key] == $0.value }) { return }
            guard ContinuousClock.now < deadline else {
                Issue.record("the history did not reach \(ends) within 60 s (at \(positions))")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
