import ExchangeRecords
import GRDB
import History

/// The history in a SQLite file (GRDB), in WAL mode: the stage writes while the gateway reads.
public final class SQLiteHistoryDatabase: HistoryDatabase {
    let pool: DatabasePool

    /// Opens or creates the file and runs the migrations it has not had yet.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "exchange-history"
        // NORMAL in WAL mode loses at most the last commits on power loss, never a commit's half: the positions
        // commit with the rows, so what survives stays consistent and the stage reads the rest again.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw HistoryDatabaseError("cannot open the history database \(path): \(error)")
        }
    }

    /// Trades in one INSERT (9 values each, well within SQLite's 32,766 variables).
    static let tradesPerStatement = 128

    /// The schema's versions, applied in order at start; a released migration never changes.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (version, statements) in HistorySchema.versions {
            migrator.registerMigration(version) { db in
                for statement in statements { try db.execute(sql: statement) }
            }
        }
        return migrator
    }

    public func positions() async throws -> [InputPosition] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT topic, partition_number, next_offset FROM input_positions ORDER BY topic, partition_number").map {
                InputPosition(topic: $0[0], partition: $0[1], nextOffset: $0[2])
            }
        }
    }

    @discardableResult
    public func append(_ trades: [HistoryTrade], analytics: AnalyticsBatch, positions: [InputPosition]) async throws -> Int {
        try await pool.write { db in
            // Many rows a statement: one statement per trade spent more in SQLite's per-statement work than in the rows.
            var inserted: Set<String> = []
            for start in stride(from: 0, to: trades.count, by: Self.tradesPerStatement) {
                let rows = trades[start..<min(start + Self.tradesPerStatement, trades.count)]
                let sql = HistorySchema.insertTrades(rows: rows.count)
                let statement = rows.count == Self.tradesPerStatement ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
                var values: [(any DatabaseValueConvertible)?] = []
                values.reserveCapacity(rows.count * 9)
                for t in rows {
                    values += [t.tradeId, t.symbol, t.tradeTime, t.seq, t.priceMicros, t.quantity, t.buyOrderId, t.sellOrderId, t.aggressorSide]
                }
                let ids = try String.fetchCursor(statement, arguments: StatementArguments(values))
                while let id = try ids.next() { inserted.insert(id) }
            }
            // A trade twice in one batch is inserted once: the first copy takes its identity.
            var added: [HistoryTrade] = []
            for trade in trades where inserted.remove(trade.tradeId) != nil { added.append(trade) }
            var candles: [CandleKey: Candle] = [:]
            CandleAggregation.add(added, to: &candles)
            for candle in candles.values {
                let stored = try Row.fetchOne(
                    db, sql: "SELECT \(HistorySchema.candleColumns) FROM candles_1m WHERE symbol = ? AND start = ?",
                    arguments: [candle.symbol, candle.start]
                ).map(Self.candle)
                try Self.store(stored.map { $0.merged(with: candle) } ?? candle, db)
            }
            try Self.store(analytics.latest, db)
            let position = try db.cachedStatement(sql: HistorySchema.upsertPosition(placeholders: .question))
            for p in positions { try position.execute(arguments: [p.topic, p.partition, p.nextOffset]) }
            return added.count
        }
    }

    public func rebuildCandles() async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM candles_1m")
            var candles: [CandleKey: Candle] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT \(HistorySchema.tradeColumns) FROM trades")
            while let row = try rows.next() { CandleAggregation.add([Self.trade(row)], to: &candles) }
            for candle in candles.values { try Self.store(candle, db) }
        }
    }

    public func tradeCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades") ?? 0 }
    }

    public func symbols() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT symbol FROM candles_1m ORDER BY symbol") }
    }

    public func minuteCandles(symbol: String, from: Int64, to: Int64) async throws -> [Candle] {
        try await pool.read { db in
            // A cursor's rows are views of the statement (no copy per row), and every row shares the one symbol.
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(HistorySchema.candleValueColumns) FROM candles_1m WHERE symbol = ? AND start >= ? AND start < ? ORDER BY start",
                arguments: [symbol, from, to])
            var candles: [Candle] = []
            while let row = try rows.next() {
                candles.append(
                    Candle(
                        symbol: symbol, start: row[0], open: row[1], high: row[2], low: row[3], close: row[4], volume: row[5], trades: row[6],
                        first: TradeCursor(time: row[7], seq: row[8]), last: TradeCursor(time: row[9], seq: row[10])))
            }
            return candles
        }
    }

    public func trades(symbol: String, from: Int64, to: Int64, after cursor: TradeCursor?, limit: Int) async throws -> [HistoryTrade] {
        let after = cursor ?? TradeCursor(time: Int64.min, seq: Int64.min)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(HistorySchema.tradeColumns) FROM trades
                    WHERE symbol = ? AND trade_time >= ? AND trade_time < ? AND (trade_time, seq) > (?, ?)
                    ORDER BY trade_time, seq LIMIT ?
                    """,
                arguments: [symbol, from, to, after.time, after.seq, limit]
            ).map(Self.trade)
        }
    }

    public func movingAverages(symbol: String, from: Int64, to: Int64) async throws -> [SimpleMovingAverage] {
        try await windows("sma_windows", HistorySchema.smaColumns, symbol: symbol, from: from, to: to) { row in
            SimpleMovingAverage(
                stockSymbol: row[0], sma: FixedDecimal(micros: row[3]), windowStart: row[1], windowEnd: row[2], count: row[4],
                vwap: FixedDecimal(micros: row[5]))
        }
    }

    public func profits(symbol: String, from: Int64, to: Int64) async throws -> [StockProfit] {
        try await windows("profit_windows", HistorySchema.profitColumns, symbol: symbol, from: from, to: to) { row in
            StockProfit(
                stockSymbol: row[0], windowStart: row[1], windowEnd: row[2], open: FixedDecimal(micros: row[3]),
                high: FixedDecimal(micros: row[4]), low: FixedDecimal(micros: row[5]), close: FixedDecimal(micros: row[6]),
                profit: FixedDecimal(micros: row[7]), profitPct: FixedDecimal(micros: row[8]), trades: row[9], volume: row[10])
        }
    }

    public func topProfits(from: Int64, to: Int64) async throws -> [TopProfit] {
        try await windows("top_profit_windows", HistorySchema.topProfitColumns, symbol: nil, from: from, to: to) { row in
            try TopProfit.decode(json: row[5] as String)
        }
    }

    /// The rows of an analytics table (of one symbol, unless nil) with a window start in `[from, to)`, by start.
    private func windows<T: Sendable>(
        _ table: String, _ columns: String, symbol: String?, from: Int64, to: Int64, _ decode: @escaping @Sendable (Row) throws -> T
    ) async throws -> [T] {
        try await pool.read { db in
            let bySymbol = symbol == nil ? "" : "symbol = ? AND "
            let arguments: StatementArguments = symbol.map { [$0, from, to] } ?? [from, to]
            return try Row.fetchAll(
                db, sql: "SELECT \(columns) FROM \(table) WHERE \(bySymbol)window_start >= ? AND window_start < ? ORDER BY window_start",
                arguments: arguments
            ).map(decode)
        }
    }

    public func close() async {
        try? pool.close()
    }

    static func store(_ c: Candle, _ db: Database) throws {
        try db.cachedStatement(sql: HistorySchema.replaceCandle(placeholders: .question)).execute(arguments: [
            c.symbol, c.start, c.open, c.high, c.low, c.close, c.volume, c.trades, c.first.time, c.first.seq, c.last.time, c.last.seq,
        ])
    }

    static func store(_ analytics: AnalyticsBatch, _ db: Database) throws {
        let sma = try db.cachedStatement(sql: HistorySchema.upsert("sma_windows", HistorySchema.smaColumns, keyCount: 2, placeholders: .question))
        for r in analytics.movingAverages {
            try sma.execute(arguments: [r.stockSymbol, r.windowStart, r.windowEnd, r.sma.micros, r.count, r.vwap.micros])
        }
        let profit = try db.cachedStatement(
            sql: HistorySchema.upsert("profit_windows", HistorySchema.profitColumns, keyCount: 2, placeholders: .question))
        for r in analytics.profits {
            try profit.execute(arguments: [
                r.stockSymbol, r.windowStart, r.windowEnd, r.open.micros, r.high.micros, r.low.micros, r.close.micros,
                r.profit.micros, r.profitPct.micros, r.trades, r.volume,
            ])
        }
        let top = try db.cachedStatement(
            sql: HistorySchema.upsert("top_profit_windows", HistorySchema.topProfitColumns, keyCount: 1, placeholders: .question))
        for r in analytics.topProfits {
            try top.execute(arguments: [r.windowStart, r.windowEnd, r.stockSymbol, r.profit.micros, r.profitPct.micros, r.jsonText])
        }
    }

    static func candle(_ row: Row) -> Candle {
        Candle(
            symbol: row[0], start: row[1], open: row[2], high: row[3], low: row[4], close: row[5], volume: row[6], trades: row[7],
            first: TradeCursor(time: row[8], seq: row[9]), last: TradeCursor(time: row[10], seq: row[11]))
    }

    static func trade(_ row: Row) -> HistoryTrade {
        HistoryTrade(
            tradeId: row[0], symbol: row[1], tradeTime: row[2], seq: row[3], priceMicros: row[4], quantity: row[5],
            buyOrderId: row[6], sellOrderId: row[7], aggressorSide: row[8])
    }
}
