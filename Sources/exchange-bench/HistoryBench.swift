import ArgumentParser
import ExchangeTestSupport
import Foundation
import History
import HistoryStore

/// `exchange-bench history`: trades/s into the history stores in the stage's batches (each one transaction with its
/// candles and positions, as the stage commits it), and the latency of a one-day query of 1-minute candles.
struct HistoryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Trades/s into SQLite and PostgreSQL, and p50/p99 of a one-day 1-minute candle query.")

    @Option(help: "Trades to store per store.") var trades = 500_000
    @Option(help: "Trades per transaction (the stage commits one consumer batch, up to 16384, at a time).") var batch = HistoryStage.batchSize
    @Option(help: "Symbols the trades spread over.") var symbols = 20
    @Option(help: "Candle queries timed.") var queries = 2_000
    @Option(help: "A PostgreSQL to use (postgres://…); default: a server of the benchmark's own (initdb), durable settings.")
    var postgres: String?
    @Flag(help: "Skip PostgreSQL.") var noPostgres = false
    @Flag(help: "Skip SQLite.") var noSqlite = false
    @Flag(help: "Only time the query, against the --postgres database as an earlier run left it (same --trades and --symbols).")
    var queryOnly = false

    func run() async throws {
        // One day of trades, so the query reads 1,440 candles of one symbol.
        let spacing = max(1, 86_400_000 / Int64(trades))
        let workload = HistoryWorkload.trades(count: trades, symbols: symbols, start: 1_764_028_800_000, spacing: spacing, seed: 1)
        print("history benchmark: \(trades) trades over \(symbols) symbols and one day, \(batch) per transaction")
        print("store        trades/s   one-day 1-minute candle query: p50 ms   p99 ms")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("history-bench-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        if queryOnly {
            guard let postgres else { throw ValidationError("--query-only needs --postgres") }
            let database = try await PostgresHistoryDatabase(url: postgres)
            let (p50, p99) = try await queryLatencies(database, workload)
            print(String(format: "%@   %36.3f %8.3f", "postgresql".padding(toLength: 21, withPad: " ", startingAt: 0), p50, p99))
            await database.close()
            return
        }
        if !noSqlite { try await measure("sqlite", try SQLiteHistoryDatabase(path: path), workload) }
        guard !noPostgres else { return }
        var server: TemporaryPostgres?
        let url: String
        if let postgres {
            url = postgres
        } else {
            let own = try TemporaryPostgres(durable: true)
            server = own
            url = own.url
        }
        defer { server?.stop() }
        // A server of its own is also vacuumed and queried again: autovacuum does the same to a finished day a while
        // after its last writes, and PostgreSQL's index-only scan of the day reads no heap from then on.
        var vacuumed: (@Sendable () async throws -> Void)?
        if let server {
            vacuumed = { try await onThreadOfItsOwn { try server.vacuum(url) } }
        }
        try await measure("postgresql", try await PostgresHistoryDatabase(url: url), workload, thenVacuum: vacuumed)
    }

    func measure(
        _ name: String, _ database: any HistoryDatabase, _ workload: [HistoryTrade], thenVacuum vacuum: (@Sendable () async throws -> Void)? = nil
    ) async throws {
        let clock = ContinuousClock()
        let began = clock.now
        var offset: Int64 = 0
        for start in stride(from: 0, to: workload.count, by: batch) {
            let slice = Array(workload[start..<min(start + batch, workload.count)])
            offset += Int64(slice.count)
            try await database.append(slice, positions: [InputPosition(topic: "matched_trades", partition: 0, nextOffset: offset)])
        }
        let elapsed = seconds(clock.now - began)
        let (p50, p99) = try await queryLatencies(database, workload)
        print(String(format: "%@ %10.0f   %36.3f %8.3f", name.padding(toLength: 10, withPad: " ", startingAt: 0), Double(workload.count) / elapsed, p50, p99))
        if let vacuum {
            try await vacuum()
            let (p50, p99) = try await queryLatencies(database, workload)
            print(String(format: "%@   %36.3f %8.3f", "  after VACUUM".padding(toLength: 21, withPad: " ", startingAt: 0), p50, p99))
        }
        await database.close()
    }

    /// p50 and p99 in milliseconds of `queries` one-day 1-minute candle queries of one symbol.
    func queryLatencies(_ database: any HistoryDatabase, _ workload: [HistoryTrade]) async throws -> (Double, Double) {
        let clock = ContinuousClock()
        let day = CandleInterval.day.start(of: workload[workload.count / 2].tradeTime)
        var latencies: [Double] = []
        latencies.reserveCapacity(queries)
        for _ in 0..<queries {
            let start = clock.now
            let candles = try await database.candles(symbol: "SYM0", interval: .minute, from: day, to: day + 86_400_000)
            latencies.append(seconds(clock.now - start) * 1_000)
            precondition(!candles.isEmpty, "the query found no candles")
        }
        latencies.sort()
        return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }
}

/// A duration in seconds.
private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
