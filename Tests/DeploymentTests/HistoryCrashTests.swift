import ExchangeRecords
import ExchangeTestSupport
import Foundation
import History
import HistoryStore
import Kafka
import Testing

/// `exchange history` in its own process, killed with SIGKILL twice while trades stream in, then restarted: the
/// database holds exactly the trades of `matched_trades` (duplicates in the topic once), and the candles equal a
/// plain aggregation of them. The positions live in the database with the rows, so no kill loses or repeats one. On
/// SQLite and on a PostgreSQL server of the test's own.
@Suite(.serialized, .timeLimit(.minutes(4))) struct HistoryCrashTests {
    typealias Child = SeparateProcessesTests.Child
    static let partitions = 2

    @Test(arguments: ["sqlite", "postgresql"])
    func killedMidStreamTheHistoryStillHoldsEveryTradeOnce(_ store: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bootstrapFile = directory.appendingPathComponent("bootstrap").path
        var server: TemporaryPostgres?
        let path: String
        if store == "postgresql" {
            let own: TemporaryPostgres
            do {
                own = try await TemporaryPostgres.start()
            } catch {
                Issue.record("no PostgreSQL for the history crash test: \(error)")
                return
            }
            server = own
            path = try await own.newDatabase("crash")
        } else {
            path = directory.appendingPathComponent("history.sqlite").path
        }
        defer { server?.stop() }
        let broker = try Child(["broker", "--partitions", String(Self.partitions), "--bootstrap-file", bootstrapFile])
        defer { broker.killIfRunning() }
        try await SeparateProcessesTests.waitUntil("the bootstrap file", seconds: 30) {
            (try? String(contentsOfFile: bootstrapFile, encoding: .utf8))?.contains(":") == true
        }
        let bootstrap = try String(contentsOfFile: bootstrapFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let configuration = KafkaConfiguration.embedded(bootstrapServers: bootstrap)

        let trades = HistoryWorkload.trades(count: 30_000, symbols: 6, seed: 22)
        // Every 10th chunk goes out twice: the duplicates a matcher restarting from its snapshot writes.
        let chunks = stride(from: 0, to: trades.count, by: 500).map { Array(trades[$0..<min($0 + 500, trades.count)]) }
        let producing = Task {
            let producer = try await KafkaProducer(configuration: configuration)
            for (i, chunk) in chunks.enumerated() {
                let messages = (i % 10 == 3 ? chunk + chunk : chunk).map {
                    KafkaProducerMessage(
                        topic: Topology.matchedTrades.name, partition: Topology.partition(ofSymbol: $0.symbol, partitions: Self.partitions),
                        key: Array($0.symbol.utf8), value: HistoryWorkload.record($0).encoded())
                }
                let reports = try await producer.sendAndAwait(contentsOf: messages)
                guard reports.allSatisfy({ $0.error == nil }) else { throw ComposeError("a trade was not delivered") }
                try await Task.sleep(for: .milliseconds(100))
            }
            await producer.close()
        }

        let arguments = ["history", "--brokers", bootstrap, "--partitions", String(Self.partitions), "--history-db", path]
        var history = try Child(arguments)
        let database = try await Self.open(path)
        for threshold in [2_000, 9_000] {
            try await SeparateProcessesTests.waitUntil("\(threshold) trades stored", seconds: 90) {
                #expect(history.process.isRunning, "exchange history exited")
                return try await database.tradeCount() >= threshold
            }
            kill(history.process.processIdentifier, SIGKILL)
            await history.stop()
            // Killed with part of the stream still to read: what the restart must finish without a gap or a repeat.
            #expect(try await database.tradeCount() < trades.count, "killed after the last trade: nothing was tested")
            history = try Child(arguments)
        }
        defer { history.killIfRunning() }
        try await producing.value

        let admin = try await KafkaConsumer(configuration: configuration)
        var ends: [Int32: Int64] = [:]
        for p in 0..<Int32(Self.partitions) {
            ends[p] = try await admin.queryWatermarks(KafkaTopicPartition(Topology.matchedTrades.name, p)).high
        }
        await admin.close()
        try await SeparateProcessesTests.waitUntil("the history at the end of matched_trades", seconds: 120) {
            let positions = Dictionary(
            try await database.positions().filter { $0.topic == Topology.matchedTrades.name }.map { ($0.partition, $0.nextOffset) }
            ) { a, _ in a }
            return ends.allSatisfy { positions[$0.key] == $0.value }
        }
        await history.stop()

        var stored: [HistoryTrade] = []
        for symbol in Set(trades.map(\.symbol)) {
            stored += try await database.trades(symbol: symbol, from: 0, to: Int64.max, after: nil, limit: trades.count)
        }
        #expect(stored.count == trades.count)
        #expect(Set(stored) == Set(trades))
        var candles: [Candle] = []
        for symbol in try await database.symbols() {
            candles += try await database.minuteCandles(symbol: symbol, from: Int64.min, to: Int64.max)
        }
        #expect(candles == HistoryWorkload.referenceCandles(trades))
        await database.close()
        await broker.stop()
    }

    /// Opens the database the child creates, once it exists (both may run the first migration at once; the loser
    /// finds it applied on its next try).
    static func open(_ path: String) async throws -> any HistoryDatabase {
        var opened: (any HistoryDatabase)?
        try await SeparateProcessesTests.waitUntil("the history database", seconds: 60) {
            if path.hasPrefix("postgres://") {
                opened = try? await PostgresHistoryDatabase(url: path)
            } else {
                guard FileManager.default.fileExists(atPath: path) else { return false }
                opened = try? SQLiteHistoryDatabase(path: path)
            }
            return opened != nil
        }
        guard let opened else { throw ComposeError("the history database did not open") }
        return opened
    }
}
