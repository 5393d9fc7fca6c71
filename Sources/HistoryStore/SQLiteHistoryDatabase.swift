import ExchangeRecords
import GRDB
import GRDBSQLite
import History

/// The history in a SQLite file (GRDB), in WAL mode: the stage writes while the gateway reads.
public final class SQLiteHistoryDatabase: HistoryDatabase {
    let pool: DatabasePool

    /// Opens or creates the file and runs the migrations it has not had yet.
    public convenience init(path: String) throws {
        try self.init(path: path, upTo: nil)
    }

    /// Opens the file with the migrations up to `version` (all when nil): a file as an earlier release left it.
    init(path: String, upTo version: String?) throws {
        var configuration = Configuration()
        configuration.label = "exchange-history"
        // NORMAL in WAL mode loses at most the last commits on power loss, never a commit's half: the positions
        // commit with the rows, so what survives stays consistent and the stage reads the rest again.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 64 MiB of page cache a connection (SQLite's default is 2 MiB): the trade indexes' pages stay in memory.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // A checkpoint every 64 MiB of log instead of every 4 MiB: a page that many batches change (the trade
            // tree's right edges, the candles) is copied into the file once a checkpoint, so fewer checkpoints copy
            // and sync far less. The log file stays about that size.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if let version { try Self.migrator.migrate(pool, upTo: version) } else { try Self.migrator.migrate(pool) }
        } catch {
            throw HistoryDatabaseError("cannot open the history database \(path): \(error)")
        }
    }

    /// The schema's versions, applied in order at start; a released migration never changes.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (version, statements) in HistorySchema.versions + [("v3", HistorySchema.sqliteVersion3)] {
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
            // Bound and stepped through SQLite's own calls: GRDB's arguments cost more than the row's insert here,
            // and its multi-row form (RETURNING the new identities) spent most of its time in GRDB's statement
            // authorizer.
            let insert = try db.cachedStatement(sql: HistorySchema.insertTrade)
            var added: [HistoryTrade] = []
            for trade in trades where try Self.insert(trade, insert.sqliteStatement, db) {
                added.append(trade)
            }
            var candles: [CandleKey: Candle] = [:]
            CandleAggregation.add(added, to: &candles)
            let select = try db.cachedStatement(sql: Self.selectCandle).sqliteStatement
            let upsert = try db.cachedStatement(sql: Self.upsertCandle).sqliteStatement
            for candle in candles.values {
                let stored = try Self.storedCandle(candle.key, select, db)
                try Self.store(stored.map { $0.merged(with: candle) } ?? candle, upsert, db)
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
            let upsert = try db.cachedStatement(sql: Self.upsertCandle).sqliteStatement
            for candle in candles.values { try Self.store(candle, upsert, db) }
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
            // Read through SQLite's own calls, every row sharing the one symbol: GRDB's row values cost more than the
            // rows (a one-day query is 1,440 of them).
            let statement = try db.cachedStatement(
                sql: "SELECT \(HistorySchema.candleValueColumns) FROM candles_1m WHERE symbol = ? AND start >= ? AND start < ? ORDER BY start")
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            defer { sqlite3_reset(handle) }
            Self.bind(symbol, 1, handle)
            sqlite3_bind_int64(handle, 2, from)
            sqlite3_bind_int64(handle, 3, to)
            var candles: [Candle] = []
            while try Self.step(handle, db, expecting: SQLITE_ROW) { candles.append(Self.candle(handle, symbol: symbol)) }
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

    /// Inserts `trade` with the prepared `HistorySchema.insertTrade`; whether it was new (not stored before).
    static func insert(_ trade: HistoryTrade, _ statement: SQLiteStatement, _ db: Database) throws -> Bool {
        sqlite3_reset(statement)
        bind(trade.tradeId, 1, statement)
        bind(trade.symbol, 2, statement)
        sqlite3_bind_int64(statement, 3, trade.tradeTime)
        sqlite3_bind_int64(statement, 4, trade.seq)
        sqlite3_bind_int64(statement, 5, trade.priceMicros)
        sqlite3_bind_int64(statement, 6, trade.quantity)
        bind(trade.buyOrderId, 7, statement)
        bind(trade.sellOrderId, 8, statement)
        bind(trade.aggressorSide, 9, statement)
        try step(statement, db, expecting: SQLITE_DONE)
        return sqlite3_changes(db.sqliteConnection) == 1
    }

    /// SQLite copies the bound text before `sqlite3_bind_text` returns.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds `text` by its UTF-8 bytes and length (no C-string copy of a Swift string).
    static func bind(_ text: String, _ index: Int32, _ statement: SQLiteStatement) {
        var text = text
        text.withUTF8 { utf8 in
            _ = utf8.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(statement, index, $0.baseAddress, Int32(utf8.count), transient) }
        }
    }

    /// Steps `statement` once, resetting it after anything but a row; throws SQLite's error.
    @discardableResult
    static func step(_ statement: SQLiteStatement, _ db: Database, expecting expected: Int32) throws -> Bool {
        let code = sqlite3_step(statement)
        if code != SQLITE_ROW { sqlite3_reset(statement) }
        guard code == expected || code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        return code == SQLITE_ROW
    }

    static let selectCandle = "SELECT \(HistorySchema.candleValueColumns) FROM candles_1m WHERE symbol = ? AND start = ?"
    static let upsertCandle = HistorySchema.replaceCandle(placeholders: .question)

    /// The candle stored under `key`, read with `selectCandle`.
    static func storedCandle(_ key: CandleKey, _ select: SQLiteStatement, _ db: Database) throws -> Candle? {
        sqlite3_reset(select)
        defer { sqlite3_reset(select) }
        bind(key.symbol, 1, select)
        sqlite3_bind_int64(select, 2, key.start)
        return try step(select, db, expecting: SQLITE_ROW) ? candle(select, symbol: key.symbol) : nil
    }

    /// The candle of `symbol` in the current row of a statement that reads `HistorySchema.candleValueColumns`.
    static func candle(_ statement: SQLiteStatement, symbol: String) -> Candle {
        func column(_ i: Int32) -> Int64 { sqlite3_column_int64(statement, i) }
        return Candle(
            symbol: symbol, start: column(0), open: column(1), high: column(2), low: column(3), close: column(4), volume: column(5),
            trades: column(6), first: TradeCursor(time: column(7), seq: column(8)), last: TradeCursor(time: column(9), seq: column(10)))
    }

    /// Stores `c` with `upsertCandle`.
    static func store(_ c: Candle, _ upsert: SQLiteStatement, _ db: Database) throws {
        sqlite3_reset(upsert)
        bind(c.symbol, 1, upsert)
        for (i, value) in [c.start, c.open, c.high, c.low, c.close, c.volume, c.trades, c.first.time, c.first.seq, c.last.time, c.last.seq]
            .enumerated()
        {
            sqlite3_bind_int64(upsert, Int32(i + 2), value)
        }
        try step(upsert, db, expecting: SQLITE_DONE)
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

    static func trade(_ row: Row) -> HistoryTrade {
        HistoryTrade(
            tradeId: row[0], symbol: row[1], tradeTime: row[2], seq: row[3], priceMicros: row[4], quantity: row[5],
            buyOrderId: row[6], sellOrderId: row[7], aggressorSide: row[8])
    }
}
