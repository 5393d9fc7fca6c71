import ExchangeRecords
import ExchangeTestSupport
import Foundation
import Logging
import PostgresNIO
import History
@testable import HistoryStore
import Testing

/// A history database in a new temporary file.
func temporaryHistoryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString).sqlite").path
}

/// Every stored 1-minute candle, by symbol then start.
func allCandles(_ database: any HistoryDatabase) async throws -> [Candle] {
    var candles: [Candle] = []
    for symbol in try await database.symbols() {
        candles += try await database.minuteCandles(symbol: symbol, from: Int64.min, to: Int64.max)
    }
    return candles
}

/// The analytics tables' reference: the last record of each window of one symbol (or of `top_profit`), by start.
func lastOfEachWindow<T>(_ records: [T], start: (T) -> Int64) -> [T] {
    var last: [Int64: T] = [:]
    for record in records { last[start(record)] = record }
    return last.keys.sorted().compactMap { last[$0] }
}

/// What every store must do, checked on SQLite and on a PostgreSQL server of the test's own.
enum HistoryDatabaseContract {
    /// A database an earlier release wrote (`writeOld` writes the trades, analytics and positions as it did) keeps
    /// every row through the later migrations, and goes on de-duplicating and merging candles after them.
    static func upgradeKeepsEveryRow(
        writeOld: ([HistoryTrade], AnalyticsBatch, [InputPosition]) async throws -> Void, current: () async throws -> any HistoryDatabase
    ) async throws {
        let trades = HistoryWorkload.trades(count: 1_500, seed: 5)
        let (sma, profits, tops) = HistoryWorkload.analytics(count: 200, seed: 5)
        try await writeOld(
            Array(trades[..<1_000]), AnalyticsBatch(movingAverages: sma, profits: profits, topProfits: tops),
            [InputPosition(topic: "matched_trades", partition: 0, nextOffset: 1_000)])
        let before = HistoryWorkload.referenceCandles(Array(trades[..<1_000]))
        let database = try await current()
        #expect(try await database.tradeCount() == 1_000)
        #expect(try await allCandles(database) == before)
        #expect(try await database.positions() == [InputPosition(topic: "matched_trades", partition: 0, nextOffset: 1_000)])
        #expect(try await database.topProfits(from: Int64.min, to: Int64.max) == lastOfEachWindow(tops, start: \.windowStart))
        // Trades 900..<1,000 again: stored before the migration, so only the 500 new ones count.
        #expect(try await database.append(Array(trades[900...]), positions: []) == 500)
        #expect(try await allCandles(database) == HistoryWorkload.referenceCandles(trades))
        await database.close()
    }

    /// Ids are any text a producer wrote: separators, escapes and other scripts come back unchanged.
    static func anyTextComesBackAsItWent(_ database: any HistoryDatabase) async throws {
        let texts = ["tab\there", "new\nline\r\n", #"back\slash\."#, "\\.", "\\N", "quote\"'", "ünïcödé 株式 🙂", ",;|"]
        let trades = texts.enumerated().map { i, text in
            HistoryTrade(
                // The first before 1970: negative numbers, and an hour and a minute that floor below zero.
                tradeId: "\(text)-\(i)", symbol: "SYM0", tradeTime: i == 0 ? -86_400_123 : 1_700_000_000_000 + Int64(i), seq: Int64(i + 1),
                priceMicros: 1_000_000,
                quantity: 1, buyOrderId: text, sellOrderId: text + "s", aggressorSide: "BUY")
        }
        #expect(try await database.append(trades + trades.prefix(2), positions: []) == trades.count)
        let stored = try await database.trades(symbol: "SYM0", from: Int64.min, to: Int64.max, after: nil, limit: 100)
        #expect(stored == trades)
        #expect(try await allCandles(database) == HistoryWorkload.referenceCandles(trades))
    }

    static func batchesWithDuplicatesStoreEachTradeOnce(_ database: any HistoryDatabase) async throws {
        let trades = HistoryWorkload.trades(count: 2_000, seed: 7)
        var offset: Int64 = 0
        // Batches overlap (each starts 20 trades back), as a restarted reader or the matcher's duplicates make them,
        // and repeat trades within themselves.
        for start in stride(from: 0, to: trades.count, by: 150) {
            let batch = Array(trades[max(0, start - 20)..<min(start + 150, trades.count)])
            offset += Int64(batch.count)
            let added = try await database.append(
                batch + batch.prefix(3), positions: [InputPosition(topic: "matched_trades", partition: 1, nextOffset: offset)])
            #expect(added == min(start + 150, trades.count) - start)
        }
        #expect(try await database.tradeCount() == trades.count)
        #expect(try await allCandles(database) == HistoryWorkload.referenceCandles(trades))
        #expect(try await database.positions() == [InputPosition(topic: "matched_trades", partition: 1, nextOffset: offset)])
    }

    static func rebuildGivesTheSameCandles(_ database: any HistoryDatabase) async throws {
        let trades = HistoryWorkload.trades(count: 1_000, seed: 11)
        for start in stride(from: 0, to: trades.count, by: 64) {
            try await database.append(Array(trades[start..<min(start + 64, trades.count)]), positions: [])
        }
        let before = try await allCandles(database)
        try await database.rebuildCandles()
        #expect(try await allCandles(database) == before)
        #expect(before == HistoryWorkload.referenceCandles(trades))
    }

    static func tradesPageInCursorOrderWithinTheRange(_ database: any HistoryDatabase) async throws {
        let trades = HistoryWorkload.trades(count: 300, symbols: 1, seed: 3)
        try await database.append(trades, positions: [])
        let from = trades[50].tradeTime, to = trades[250].tradeTime
        var pages: [HistoryTrade] = []
        var cursor: TradeCursor?
        while true {
            let page = try await database.trades(symbol: "SYM0", from: from, to: to, after: cursor, limit: 33)
            pages += page
            guard page.count == 33, let last = page.last else { break }
            cursor = last.cursor
        }
        #expect(pages == trades.filter { $0.tradeTime >= from && $0.tradeTime < to }.sorted { $0.cursor < $1.cursor })
        let hour = try await database.candles(symbol: "SYM0", interval: .sixtyMinute, from: 0, to: Int64.max / 2)
        #expect(hour == HistoryWorkload.referenceCandles(trades, interval: .sixtyMinute))
        #expect(try await database.minuteCandles(symbol: "NONE", from: Int64.min, to: Int64.max).isEmpty)
        #expect(try await database.minuteCandles(symbol: "SYM0", from: to, to: from).isEmpty)
    }

    /// Analytics windows are rows by key: whatever batches the records arrive in (a window's updates split over
    /// batches or within one, a batch stored twice after a restart), the table holds each window's last value.
    static func analyticsWindowsHoldTheLastValueOfEach(_ database: any HistoryDatabase) async throws {
        let (sma, profits, tops) = HistoryWorkload.analytics(count: 600, seed: 9)
        // Batches of several sizes, every third stored again at once (as after a restart before its positions).
        var start = 0, n = 0
        while start < sma.count {
            let size = [1, 7, 50, 200][n % 4]
            n += 1
            let slice = start..<min(start + size, sma.count)
            // The ranking of every third record (HistoryWorkload.analytics) goes with the records around it.
            let rankings = (slice.lowerBound + 2) / 3..<(slice.upperBound + 2) / 3
            let batch = AnalyticsBatch(movingAverages: Array(sma[slice]), profits: Array(profits[slice]), topProfits: Array(tops[rankings]))
            try await database.append([], analytics: batch, positions: [])
            if n % 3 == 0 { try await database.append([], analytics: batch, positions: []) }
            start = slice.upperBound
        }

        let windows = Set(sma.map { "\($0.stockSymbol)@\($0.windowStart)" })
        #expect(windows.count > 30 && windows.count < sma.count, "the workload updates windows")
        for symbol in Set(sma.map(\.stockSymbol)) {
            let expectedSMA = lastOfEachWindow(sma.filter { $0.stockSymbol == symbol }, start: \.windowStart)
            #expect(try await database.movingAverages(symbol: symbol, from: Int64.min, to: Int64.max) == expectedSMA)
            let expectedProfit = lastOfEachWindow(profits.filter { $0.stockSymbol == symbol }, start: \.windowStart)
            #expect(try await database.profits(symbol: symbol, from: Int64.min, to: Int64.max) == expectedProfit)
            // A range: window starts in [from, to).
            let from = expectedSMA[expectedSMA.count / 3].windowStart, to = expectedSMA[2 * expectedSMA.count / 3].windowStart
            #expect(try await database.movingAverages(symbol: symbol, from: from, to: to) == expectedSMA.filter { $0.windowStart >= from && $0.windowStart < to })
        }
        #expect(try await database.topProfits(from: Int64.min, to: Int64.max) == lastOfEachWindow(tops, start: \.windowStart))
        #expect(try await database.movingAverages(symbol: "NOPE", from: Int64.min, to: Int64.max).isEmpty)
    }

    static let all: [(String, @Sendable (any HistoryDatabase) async throws -> Void)] = [
        ("analytics", analyticsWindowsHoldTheLastValueOfEach),
        ("duplicates", batchesWithDuplicatesStoreEachTradeOnce),
        ("rebuild", rebuildGivesTheSameCandles),
        ("text", anyTextComesBackAsItWent),
        // Last: the PostgreSQL test reopens its database and counts its 300 trades.
        ("paging", tradesPageInCursorOrderWithinTheRange),
    ]
}

struct SQLiteHistoryDatabaseTests {
    @Test(arguments: HistoryDatabaseContract.all.map(\.0))
    func contract(_ name: String) async throws {
        let path = temporaryHistoryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteHistoryDatabase(path: path)
        try await HistoryDatabaseContract.all.first { $0.0 == name }?.1(database)
        await database.close()
    }

    @Test func reopenedTheRowsAndPositionsAreThereAndMigrationsRunOnce() async throws {
        let path = temporaryHistoryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteHistoryDatabase(path: path)
        try await database.append(
            HistoryWorkload.trades(count: 10, seed: 1), positions: [InputPosition(topic: "matched_trades", partition: 0, nextOffset: 10)])
        await database.close()
        let reopened = try SQLiteHistoryDatabase(path: path)
        #expect(try await reopened.tradeCount() == 10)
        #expect(try await reopened.positions() == [InputPosition(topic: "matched_trades", partition: 0, nextOffset: 10)])
        await reopened.close()
    }

    /// A file an earlier release wrote (schema v2, rowid tables) keeps every row through version 3's rebuild.
    @Test func aVersion2FileKeepsItsRowsThroughTheRebuild() async throws {
        let path = temporaryHistoryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await HistoryDatabaseContract.upgradeKeepsEveryRow(
            writeOld: { trades, analytics, positions in
                let old = try SQLiteHistoryDatabase(path: path, upTo: "v2")
                try await old.append(trades, analytics: analytics, positions: positions)
                await old.close()
            }, current: { try SQLiteHistoryDatabase(path: path) })
    }

    @Test func aFolderThatDoesNotExistIsAClearError() {
        #expect(throws: HistoryDatabaseError.self) { try SQLiteHistoryDatabase(path: "/nonexistent-\(UUID().uuidString)/history.sqlite") }
    }
}

/// The same contract on PostgreSQL. The server is the test's own (`TemporaryPostgres`); a machine without
/// PostgreSQL fails these tests with what to install, never passes them silently.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PostgresHistoryDatabaseTests {
    @Test func contractOnAServerOfItsOwn() async throws {
        try await onAServerOfItsOwn(contract)
    }

    /// `check` on a new server, stopped after it; no server is a recorded failure that says so.
    private func onAServerOfItsOwn(_ check: (TemporaryPostgres) async throws -> Void) async throws {
        let server: TemporaryPostgres
        do {
            server = try await TemporaryPostgres.start()
        } catch {
            Issue.record("no PostgreSQL for the history tests: \(error)")
            return
        }
        do {
            try await check(server)
        } catch {
            Issue.record("\(error)")
        }
        await server.shutDown()
    }

    private func contract(on server: TemporaryPostgres) async throws {
        var last = server.url
        for (name, check) in HistoryDatabaseContract.all {
            // Each check on a database of its own, so it starts from empty tables.
            last = try await server.newDatabase("check_\(name)")
            let database = try await PostgresHistoryDatabase(url: last)
            do {
                try await check(database)
            } catch {
                Issue.record("\(name): \(error)")
            }
            await database.close()
        }
        // Migrations run once: a second client finds them applied.
        let again = try await PostgresHistoryDatabase(url: last)
        #expect(try await again.tradeCount() == 300)
        await again.close()
        for version in ["v2", "v3"] {
            let upgraded = try await server.newDatabase("upgraded_from_\(version)")
            try await HistoryDatabaseContract.upgradeKeepsEveryRow(
                writeOld: { trades, analytics, positions in
                    let old = try await PostgresHistoryDatabase(url: upgraded, logger: Logger(label: "test"), upTo: version)
                    try await writeAsBeforeVersion4(trades, analytics, positions, old)
                    await old.close()
                }, current: { try await PostgresHistoryDatabase(url: upgraded) })
            let database = try await PostgresHistoryDatabase(url: upgraded)
            try await expectTheHoursHoldTheMinuteRows(database)
            await database.close()
        }
    }

    /// The rows a release before schema v4 wrote: the trades, their candles in `candles_1m` alone, the analytics and
    /// the positions, with the store's statements for each table.
    private func writeAsBeforeVersion4(
        _ trades: [HistoryTrade], _ analytics: AnalyticsBatch, _ positions: [InputPosition], _ database: PostgresHistoryDatabase
    ) async throws {
        let logger = Logger(label: "test")
        try await database.client.withTransaction(logger: logger) { connection in
            _ = try await PostgresHistoryDatabase.insertNew(trades, connection, logger)
            try await PostgresHistoryDatabase.store(HistoryWorkload.referenceCandles(trades), connection, logger)
            try await PostgresHistoryDatabase.store(analytics.latest, connection, logger)
            for p in positions {
                try await connection.query(
                    "INSERT INTO input_positions (topic, partition_number, next_offset) VALUES (\(p.topic), \(p.partition), \(p.nextOffset))",
                    logger: logger)
            }
        }
    }

    /// `candle_hours`, what the queries read, holds exactly the rows of `candles_1m`, what SQL users read: after
    /// batches that reach back into earlier hours, and after a rebuild.
    @Test func theHoursHoldTheMinuteRows() async throws {
        try await onAServerOfItsOwn { server in
            let database = try await PostgresHistoryDatabase(url: try await server.newDatabase("hours"))
            // Trades of several hours and symbols, stored out of order in small batches, so hours are stored and merged
            // into many times.
            let ordered = HistoryWorkload.trades(count: 3_000, symbols: 3, start: 1_764_028_000_000, spacing: 7_000, seed: 13)
            // A fixed permutation (7,919 is prime to 3,000).
            let trades = ordered.indices.map { ordered[($0 * 7_919) % ordered.count] }
            for start in stride(from: 0, to: trades.count, by: 97) {
                try await database.append(Array(trades[start..<min(start + 97, trades.count)]), positions: [])
            }
            #expect(try await allCandles(database) == HistoryWorkload.referenceCandles(trades))
            try await expectTheHoursHoldTheMinuteRows(database)
            // A range inside one hour, and one across hours' edges, return just their minutes.
            let reference = HistoryWorkload.referenceCandles(trades).filter { $0.symbol == "SYM1" }
            for (from, to) in [(reference[10].start, reference[20].start), (reference[50].start + 1, reference[200].start)] {
                #expect(try await database.minuteCandles(symbol: "SYM1", from: from, to: to) == reference.filter { $0.start >= from && $0.start < to })
            }
            try await database.rebuildCandles()
            try await expectTheHoursHoldTheMinuteRows(database)
            await database.close()
        }
    }

    private func expectTheHoursHoldTheMinuteRows(_ database: PostgresHistoryDatabase) async throws {
        var rows: [Candle] = []
        let sql = "SELECT \(HistorySchema.candleColumns) FROM candles_1m ORDER BY symbol, start"
        for try await (symbol, start, open, high, low, close, volume, trades, firstTime, firstSeq, lastTime, lastSeq) in try await database.client
            .query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test"))
            .decode((String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        {
            rows.append(
                Candle(
                    symbol: symbol, start: start, open: open, high: high, low: low, close: close, volume: volume, trades: trades,
                    first: TradeCursor(time: firstTime, seq: firstSeq), last: TradeCursor(time: lastTime, seq: lastSeq)))
        }
        #expect(!rows.isEmpty)
        #expect(try await allCandles(database) == rows)
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        await #expect(throws: HistoryDatabaseError.self) {
            _ = try await PostgresHistoryDatabase(url: "postgres://exchange@127.0.0.1:1/postgres")
        }
    }
}
