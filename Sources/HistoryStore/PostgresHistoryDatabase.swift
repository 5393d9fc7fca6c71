import ExchangeRecords
import Foundation
import History
import Logging
import PostgresNIO

/// The history in PostgreSQL (postgres-nio), for deployments. A batch is a few statements over whole arrays
/// (`UNNEST`), so its cost is a handful of round trips, not one per trade.
public final class PostgresHistoryDatabase: HistoryDatabase {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger

    /// Connects to `postgres://user[:password]@host[:port]/database` (no TLS: loopback or a private network) and runs
    /// the migrations the database has not had yet.
    public convenience init(url: String, logger: Logger = Logger(label: "exchange.history.postgres")) async throws {
        try await self.init(url: url, logger: logger, upTo: nil)
    }

    /// Connects with the migrations up to `version` (all when nil): a database as an earlier release left it.
    init(url: String, logger: Logger, upTo version: String?) async throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else {
            throw HistoryDatabaseError("--history-db \(url): expected postgres://user[:password]@host[:port]/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        do {
            // A server that is not there would keep the pool retrying: give up after the connect timeout. Only the
            // first answer is timed; migrations of a large database take as long as they take.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await client.query("SELECT 1", logger: logger).collect() }
                group.addTask {
                    try await Task.sleep(for: configuration.options.connectTimeout + .seconds(5))
                    throw HistoryDatabaseError("no answer")
                }
                defer { group.cancelAll() }
                try await group.next()
            }
            try await migrate(upTo: version)
        } catch {
            runner.cancel()
            throw HistoryDatabaseError("cannot open the history database at \(host):\(components.port ?? 5432): \(String(reflecting: error))")
        }
    }

    deinit { runner.cancel() }

    /// The schema's versions in `history_migrations`, applied in order under an advisory lock, so two instances
    /// starting at once do not both apply one.
    func migrate(upTo last: String?) async throws {
        var versions = HistorySchema.versions + [("v3", HistorySchema.postgresVersion3), ("v4", HistorySchema.postgresVersion4)]
        if let last, let end = versions.firstIndex(where: { $0.0 == last }) { versions = Array(versions[...end]) }
        try await client.withTransaction(logger: logger) { connection in
            // Its row is read: the connection runs nothing else until a result is consumed.
            _ = try await connection.query("SELECT pg_advisory_xact_lock(2022)", logger: logger).collect()
            try await connection.query("CREATE TABLE IF NOT EXISTS history_migrations (version TEXT PRIMARY KEY NOT NULL)", logger: logger)
            var applied: Set<String> = []
            for try await version in try await connection.query("SELECT version FROM history_migrations", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            for (version, statements) in versions where !applied.contains(version) {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO history_migrations (version) VALUES (\(version))", logger: logger)
            }
        }
    }

    public func positions() async throws -> [InputPosition] {
        var positions: [InputPosition] = []
        let rows = try await client.query("SELECT topic, partition_number, next_offset FROM input_positions ORDER BY topic, partition_number", logger: logger)
        for try await (topic, partition, next) in rows.decode((String, Int32, Int64).self) {
            positions.append(InputPosition(topic: topic, partition: partition, nextOffset: next))
        }
        return positions
    }

    @discardableResult
    public func append(_ trades: [HistoryTrade], analytics: AnalyticsBatch, positions: [InputPosition]) async throws -> Int {
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            let added = try await Self.insertNew(trades, connection, logger)
            try await Self.storeCandles(of: added, connection, logger)
            try await Self.store(analytics.latest, connection, logger)
            if !positions.isEmpty {
                var binds = PostgresBindings()
                binds.append(positions.map(\.topic))
                binds.append(positions.map(\.partition))
                binds.append(positions.map(\.nextOffset))
                let sql = """
                    INSERT INTO input_positions (topic, partition_number, next_offset)
                    SELECT * FROM UNNEST($1::text[], $2::int4[], $3::bigint[])
                    ON CONFLICT (topic, partition_number) DO UPDATE SET next_offset = excluded.next_offset
                    """
                try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            }
            return added.count
        }
    }

    /// Stores the trades of `trades` not stored yet (the first copy of one repeated in the batch) and returns them.
    ///
    /// The stored identities are looked up first and the rest written with `COPY`: PostgreSQL's fastest way in, with
    /// none of `INSERT … ON CONFLICT`'s speculative insertion a row. The stage is the only writer; a second one
    /// writing the same trade at once fails its transaction on the key, and restarts from its stored positions.
    static func insertNew(_ trades: [HistoryTrade], _ connection: PostgresConnection, _ logger: Logger) async throws -> [HistoryTrade] {
        guard !trades.isEmpty else { return [] }
        // The planner expects every id of the array to match (4,096 rows) and scans the whole table for them; a
        // batch's ids are found by the key's index, nearly always none. For the rest of this transaction too: the
        // candles are looked up by their key the same way.
        try await connection.query("SET LOCAL enable_seqscan = off", logger: logger)
        var binds = PostgresBindings()
        binds.append(trades.map(\.tradeId))
        var seen: Set<String> = []
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT trade_id FROM trades WHERE trade_id = ANY($1::text[])", binds: binds), logger: logger)
        for try await row in rows {
            for cell in row {
                guard var bytes = cell.bytes, let id = bytes.readString(length: bytes.readableBytes) else {
                    throw HistoryDatabaseError("history: a stored trade_id came back null")
                }
                seen.insert(id)
            }
        }
        let added = trades.filter { seen.insert($0.tradeId).inserted }
        guard !added.isEmpty else { return [] }
        let data = copyText(of: added)
        try await connection.copyFrom(table: "trades", columns: HistorySchema.tradeColumnNames, logger: logger) { writer in try await writer.write(data) }
        return added
    }

    /// Merges the candles of `trades` into their stored hours (`candle_hours`) and writes both tables' rows.
    static func storeCandles(of trades: [HistoryTrade], _ connection: PostgresConnection, _ logger: Logger) async throws {
        var candles: [CandleKey: Candle] = [:]
        CandleAggregation.add(trades, to: &candles)
        guard !candles.isEmpty else { return }
        var byHour: [CandleKey: [Candle]] = [:]
        for candle in candles.values { byHour[CandleKey(symbol: candle.symbol, start: CandleHour.start(of: candle.start)), default: []].append(candle) }
        let hours = Array(byHour.keys)
        var binds = PostgresBindings()
        binds.append(hours.map(\.symbol))
        binds.append(hours.map(\.start))
        let sql = """
            SELECT symbol, hour_start, minutes FROM candle_hours
            WHERE (symbol, hour_start) IN (SELECT * FROM UNNEST($1::text[], $2::bigint[]))
            """
        var stored: [CandleKey: [Candle]] = [:]
        for try await (symbol, start, minutes) in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            .decode((String, Int64, ByteBuffer).self)
        {
            stored[CandleKey(symbol: symbol, start: start)] = try CandleHour.unpack(minutes, symbol: symbol)
        }
        var changed: [Candle] = []
        var packed: [ByteBuffer] = []
        for hour in hours {
            let (all, merged) = CandleHour.merge(byHour[hour] ?? [], into: stored[hour] ?? [])
            changed += merged
            packed.append(CandleHour.pack(all))
        }
        try await store(changed, connection, logger)
        // The lookup's hours ($1, $2) with their new values ($3), in the same order.
        binds.append(packed)
        let upsert = """
            INSERT INTO candle_hours (symbol, hour_start, minutes) SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bytea[])
            ON CONFLICT (symbol, hour_start) DO UPDATE SET minutes = excluded.minutes
            """
        try await connection.query(PostgresQuery(unsafeSQL: upsert, binds: binds), logger: logger)
    }

    /// The rows of `trades` in `COPY`'s text format. Built apart from the closure that sends it: a buffer the
    /// closure captured would be checked for exclusive access at every byte written.
    static func copyText(of trades: [HistoryTrade]) -> ByteBuffer {
        var data = ByteBufferAllocator().buffer(capacity: trades.count * 96)
        for t in trades {
            data.writeCopyText(t.tradeId)
            data.writeCopyText(t.symbol)
            data.writeCopyInteger(t.tradeTime)
            data.writeCopyInteger(t.seq)
            data.writeCopyInteger(t.priceMicros)
            data.writeCopyInteger(t.quantity)
            data.writeCopyText(t.buyOrderId)
            data.writeCopyText(t.sellOrderId)
            data.writeCopyText(t.aggressorSide, last: true)
        }
        return data
    }

    static func store(_ candles: [Candle], _ connection: PostgresConnection, _ logger: Logger) async throws {
        var binds = PostgresBindings()
        binds.append(candles.map(\.symbol))
        binds.append(candles.map(\.start))
        binds.append(candles.map(\.open))
        binds.append(candles.map(\.high))
        binds.append(candles.map(\.low))
        binds.append(candles.map(\.close))
        binds.append(candles.map(\.volume))
        binds.append(candles.map(\.trades))
        binds.append(candles.map(\.first.time))
        binds.append(candles.map(\.first.seq))
        binds.append(candles.map(\.last.time))
        binds.append(candles.map(\.last.seq))
        let arrays = (2...12).map { "$\($0)::bigint[]" }.joined(separator: ", ")
        let sql = HistorySchema.replaceCandle(placeholders: .dollar).replacingOccurrences(
            of: "VALUES (\(HistorySchema.list(12, .dollar)))", with: "SELECT * FROM UNNEST($1::text[], \(arrays))")
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    /// Each table's rows in one statement over arrays (one row per window: `latest`).
    static func store(_ analytics: AnalyticsBatch, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let sma = analytics.movingAverages
        if !sma.isEmpty {
            var binds = PostgresBindings()
            binds.append(sma.map(\.stockSymbol))
            binds.append(sma.map(\.windowStart))
            binds.append(sma.map(\.windowEnd))
            binds.append(sma.map(\.sma.micros))
            binds.append(sma.map(\.count))
            binds.append(sma.map(\.vwap.micros))
            try await upsert("sma_windows", HistorySchema.smaColumns, keyCount: 2, types: ["text"] + Array(repeating: "bigint", count: 5), binds, connection, logger)
        }
        let profits = analytics.profits
        if !profits.isEmpty {
            var binds = PostgresBindings()
            binds.append(profits.map(\.stockSymbol))
            binds.append(profits.map(\.windowStart))
            binds.append(profits.map(\.windowEnd))
            binds.append(profits.map(\.open.micros))
            binds.append(profits.map(\.high.micros))
            binds.append(profits.map(\.low.micros))
            binds.append(profits.map(\.close.micros))
            binds.append(profits.map(\.profit.micros))
            binds.append(profits.map(\.profitPct.micros))
            binds.append(profits.map(\.trades))
            binds.append(profits.map(\.volume))
            try await upsert(
                "profit_windows", HistorySchema.profitColumns, keyCount: 2, types: ["text"] + Array(repeating: "bigint", count: 10), binds,
                connection, logger)
        }
        let tops = analytics.topProfits
        if !tops.isEmpty {
            var binds = PostgresBindings()
            binds.append(tops.map(\.windowStart))
            binds.append(tops.map(\.windowEnd))
            binds.append(tops.map(\.stockSymbol))
            binds.append(tops.map(\.profit.micros))
            binds.append(tops.map(\.profitPct.micros))
            binds.append(tops.map(\.jsonText))
            try await upsert(
                "top_profit_windows", HistorySchema.topProfitColumns, keyCount: 1, types: ["bigint", "bigint", "text", "bigint", "bigint", "text"],
                binds, connection, logger)
        }
    }

    /// `HistorySchema.upsert` over arrays of the given element types, one per column.
    private static func upsert(
        _ table: String, _ columns: String, keyCount: Int, types: [String], _ binds: PostgresBindings, _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        let arrays = types.enumerated().map { "$\($0.offset + 1)::\($0.element)[]" }.joined(separator: ", ")
        let sql = HistorySchema.upsert(table, columns, keyCount: keyCount, placeholders: .dollar).replacingOccurrences(
            of: "VALUES (\(HistorySchema.list(types.count, .dollar)))", with: "SELECT * FROM UNNEST(\(arrays))")
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    public func rebuildCandles() async throws {
        let logger = self.logger
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM candles_1m", logger: logger)
            var candles: [CandleKey: Candle] = [:]
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(HistorySchema.tradeColumns) FROM trades"), logger: logger)
            for try await row in rows { CandleAggregation.add([try Self.trade(row)], to: &candles) }
            let all = Array(candles.values)
            for start in stride(from: 0, to: all.count, by: 10_000) {
                try await Self.store(Array(all[start..<min(start + 10_000, all.count)]), connection, logger)
            }
            try await connection.query("DELETE FROM candle_hours", logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: HistorySchema.packCandleHours), logger: logger)
        }
    }

    public func tradeCount() async throws -> Int {
        for try await count in try await client.query("SELECT COUNT(*) FROM trades", logger: logger).decode(Int64.self) {
            return Int(count)
        }
        return 0
    }

    public func symbols() async throws -> [String] {
        var symbols: [String] = []
        for try await symbol in try await client.query("SELECT DISTINCT symbol FROM candles_1m ORDER BY symbol", logger: logger).decode(String.self) {
            symbols.append(symbol)
        }
        return symbols
    }

    public func minuteCandles(symbol: String, from: Int64, to: Int64) async throws -> [Candle] {
        guard from < to else { return [] }
        var candles: [Candle] = []
        for try await row in try await client.execute(HoursOfCandles(symbol: symbol, from: from, to: to), logger: logger) {
            candles = try row.map { try CandleHour.unpack($0, symbol: symbol) } ?? []
        }
        // The first and last hours may hold minutes outside the range.
        return candles.filter { $0.start >= from && $0.start < to }
    }

    /// The hours of a symbol's candles overlapping a range, concatenated in order as one value (prepared once a
    /// connection; planning it each time cost about as much as running it).
    struct HoursOfCandles: PostgresPreparedStatement {
        static let sql = """
            SELECT string_agg(minutes, ''::bytea ORDER BY hour_start) FROM candle_hours
            WHERE symbol = $1 AND hour_start >= $2 AND hour_start < $3
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8]

        let symbol: String
        let from: Int64
        let to: Int64

        func makeBindings() throws -> PostgresBindings {
            var binds = PostgresBindings()
            binds.append(symbol)
            // The hour holding `from` (no hour before the earliest one to floor to).
            binds.append(from < Int64.min + CandleHour.milliseconds ? Int64.min : CandleHour.start(of: from))
            binds.append(to)
            return binds
        }

        func decodeRow(_ row: PostgresRow) throws -> ByteBuffer? { try row.decode(ByteBuffer?.self) }
    }

    public func trades(symbol: String, from: Int64, to: Int64, after cursor: TradeCursor?, limit: Int) async throws -> [HistoryTrade] {
        let after = cursor ?? TradeCursor(time: Int64.min, seq: Int64.min)
        var binds = PostgresBindings()
        binds.append(symbol)
        binds.append(from)
        binds.append(to)
        binds.append(after.time)
        binds.append(after.seq)
        binds.append(Int64(limit))
        let sql = """
            SELECT \(HistorySchema.tradeColumns) FROM trades
            WHERE symbol = $1 AND trade_time >= $2 AND trade_time < $3 AND (trade_time, seq) > ($4, $5)
            ORDER BY trade_time, seq LIMIT $6
            """
        var trades: [HistoryTrade] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            trades.append(try Self.trade(row))
        }
        return trades
    }

    public func movingAverages(symbol: String, from: Int64, to: Int64) async throws -> [SimpleMovingAverage] {
        var result: [SimpleMovingAverage] = []
        for try await row in try await windows("sma_windows", HistorySchema.smaColumns, symbol: symbol, from: from, to: to) {
            let (symbol, start, end, sma, count, vwap) = try row.decode((String, Int64, Int64, Int64, Int64, Int64).self)
            result.append(
                SimpleMovingAverage(
                    stockSymbol: symbol, sma: FixedDecimal(micros: sma), windowStart: start, windowEnd: end, count: count,
                    vwap: FixedDecimal(micros: vwap)))
        }
        return result
    }

    public func profits(symbol: String, from: Int64, to: Int64) async throws -> [StockProfit] {
        var result: [StockProfit] = []
        for try await row in try await windows("profit_windows", HistorySchema.profitColumns, symbol: symbol, from: from, to: to) {
            let (symbol, start, end, open, high, low, close, profit, pct, trades, volume) = try row.decode(
                (String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
            result.append(
                StockProfit(
                    stockSymbol: symbol, windowStart: start, windowEnd: end, open: FixedDecimal(micros: open),
                    high: FixedDecimal(micros: high), low: FixedDecimal(micros: low), close: FixedDecimal(micros: close),
                    profit: FixedDecimal(micros: profit), profitPct: FixedDecimal(micros: pct), trades: trades, volume: volume))
        }
        return result
    }

    public func topProfits(from: Int64, to: Int64) async throws -> [TopProfit] {
        var result: [TopProfit] = []
        for try await row in try await windows("top_profit_windows", HistorySchema.topProfitColumns, symbol: nil, from: from, to: to) {
            let (_, _, _, _, _, record) = try row.decode((Int64, Int64, String, Int64, Int64, String).self)
            result.append(try TopProfit.decode(json: record))
        }
        return result
    }

    /// The rows of an analytics table (of one symbol, unless nil) with a window start in `[from, to)`, by start.
    private func windows(_ table: String, _ columns: String, symbol: String?, from: Int64, to: Int64) async throws -> PostgresRowSequence {
        var binds = PostgresBindings()
        if let symbol { binds.append(symbol) }
        binds.append(from)
        binds.append(to)
        let n = symbol == nil ? 0 : 1
        let bySymbol = symbol == nil ? "" : "symbol = $1 AND "
        let sql = "SELECT \(columns) FROM \(table) WHERE \(bySymbol)window_start >= $\(n + 1) AND window_start < $\(n + 2) ORDER BY window_start"
        return try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    public func close() async {
        runner.cancel()
        _ = await runner.value
    }

    static func trade(_ row: PostgresRow) throws -> HistoryTrade {
        let (id, symbol, time, seq, price, quantity, buy, sell, aggressor) = try row.decode(
            (String, String, Int64, Int64, Int64, Int64, String, String, String).self)
        return HistoryTrade(
            tradeId: id, symbol: symbol, tradeTime: time, seq: seq, priceMicros: price, quantity: quantity, buyOrderId: buy,
            sellOrderId: sell, aggressorSide: aggressor)
    }
}

extension ByteBuffer {
    /// A column of `COPY`'s text format: the text with backslash, tab, newline and carriage return escaped, then a
    /// tab, or a newline after the row's last column.
    mutating func writeCopyText(_ text: String, last: Bool = false) {
        var text = text
        text.withUTF8 { bytes in
            // Most text has nothing to escape: one copy of the whole.
            if !bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): writeStaticString("\\\\")
                case UInt8(ascii: "\t"): writeStaticString("\\t")
                case UInt8(ascii: "\n"): writeStaticString("\\n")
                case UInt8(ascii: "\r"): writeStaticString("\\r")
                default: writeInteger(byte)
                }
            }
        }
        writeInteger(last ? UInt8(ascii: "\n") : UInt8(ascii: "\t"))
    }

    /// An integer column of `COPY`'s text format, then a tab.
    mutating func writeCopyInteger(_ value: Int64) {
        // Digits from the last, into a stack buffer: no String a column.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { digits in
            var magnitude = value.magnitude
            var i = digits.count
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                i -= 1
                digits[i] = UInt8(ascii: "-")
            }
            writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(digits)[i...]))
        }
        writeInteger(UInt8(ascii: "\t"))
    }
}
