import Foundation

/// The history's tables and statements, one text for SQLite and PostgreSQL (both speak this SQL; only the
/// placeholders differ). Prices are micro-units in 64-bit integers, times epoch milliseconds.
enum HistorySchema {
    /// Version 1: trades by identity, 1-minute candles (with the cursors of their opening and closing trades, so a
    /// candle merges with later trades in any order), and the input positions.
    static let version1 = [
        """
        CREATE TABLE trades (
            trade_id TEXT PRIMARY KEY NOT NULL, symbol TEXT NOT NULL, trade_time BIGINT NOT NULL, seq BIGINT NOT NULL,
            price BIGINT NOT NULL, quantity BIGINT NOT NULL, buy_order_id TEXT NOT NULL, sell_order_id TEXT NOT NULL,
            aggressor_side TEXT NOT NULL)
        """,
        "CREATE INDEX trades_by_symbol_time ON trades (symbol, trade_time, seq)",
        """
        CREATE TABLE candles_1m (
            symbol TEXT NOT NULL, start BIGINT NOT NULL, open BIGINT NOT NULL, high BIGINT NOT NULL, low BIGINT NOT NULL,
            close BIGINT NOT NULL, volume BIGINT NOT NULL, trades BIGINT NOT NULL, first_time BIGINT NOT NULL,
            first_seq BIGINT NOT NULL, last_time BIGINT NOT NULL, last_seq BIGINT NOT NULL, PRIMARY KEY (symbol, start))
        """,
        """
        CREATE TABLE input_positions (
            topic TEXT NOT NULL, partition_number INTEGER NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY (topic, partition_number))
        """,
    ]

    /// Version 2: the final analytics, one row per window as the topics' keys name them (the latest value wins,
    /// as in the ksqlDB tables they mirror). `top_profit_windows.record` is the whole `top_profit` value as JSON, so
    /// the ranking reads with the databases' JSON functions (`record::jsonb->'RANKING'`, `json_extract`).
    static let version2 = [
        """
        CREATE TABLE sma_windows (
            symbol TEXT NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL, sma BIGINT NOT NULL,
            trades BIGINT NOT NULL, vwap BIGINT NOT NULL, PRIMARY KEY (symbol, window_start))
        """,
        """
        CREATE TABLE profit_windows (
            symbol TEXT NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL, open BIGINT NOT NULL,
            high BIGINT NOT NULL, low BIGINT NOT NULL, close BIGINT NOT NULL, profit BIGINT NOT NULL,
            profit_pct BIGINT NOT NULL, trades BIGINT NOT NULL, volume BIGINT NOT NULL, PRIMARY KEY (symbol, window_start))
        """,
        """
        CREATE TABLE top_profit_windows (
            window_start BIGINT PRIMARY KEY NOT NULL, window_end BIGINT NOT NULL, symbol TEXT NOT NULL,
            profit BIGINT NOT NULL, profit_pct BIGINT NOT NULL, record TEXT NOT NULL)
        """,
    ]

    /// Every version in order, as both stores apply them.
    static let versions = [("v1", version1), ("v2", version2)]

    /// SQLite's version 3: every table rebuilt `WITHOUT ROWID`, stored in the order its queries read it. A rowid
    /// table keeps each row once more beside its key, so an insert wrote three B-trees (rows, `trade_id`, the
    /// symbol/time index) and a one-day candle query looked each of its 1,440 rows up again by rowid. Trades are
    /// clustered by symbol and time, with `trade_id` the unique index that finds duplicates. PostgreSQL's tables are
    /// heaps either way, so it has no such version.
    static let sqliteVersion3 = rebuiltWithoutRowid(
        "trades",
        """
        trade_id TEXT NOT NULL, symbol TEXT NOT NULL, trade_time BIGINT NOT NULL, seq BIGINT NOT NULL, price BIGINT NOT NULL,
        quantity BIGINT NOT NULL, buy_order_id TEXT NOT NULL, sell_order_id TEXT NOT NULL, aggressor_side TEXT NOT NULL,
        PRIMARY KEY (symbol, trade_time, seq, trade_id)
        """,
        tradeColumns, indexes: ["CREATE UNIQUE INDEX trades_by_id ON trades (trade_id)"])
        + rebuiltWithoutRowid(
            "candles_1m",
            """
            symbol TEXT NOT NULL, start BIGINT NOT NULL, open BIGINT NOT NULL, high BIGINT NOT NULL, low BIGINT NOT NULL,
            close BIGINT NOT NULL, volume BIGINT NOT NULL, trades BIGINT NOT NULL, first_time BIGINT NOT NULL,
            first_seq BIGINT NOT NULL, last_time BIGINT NOT NULL, last_seq BIGINT NOT NULL, PRIMARY KEY (symbol, start)
            """, candleColumns)
        + rebuiltWithoutRowid(
            "sma_windows",
            """
            symbol TEXT NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL, sma BIGINT NOT NULL,
            trades BIGINT NOT NULL, vwap BIGINT NOT NULL, PRIMARY KEY (symbol, window_start)
            """, smaColumns)
        + rebuiltWithoutRowid(
            "profit_windows",
            """
            symbol TEXT NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL, open BIGINT NOT NULL,
            high BIGINT NOT NULL, low BIGINT NOT NULL, close BIGINT NOT NULL, profit BIGINT NOT NULL,
            profit_pct BIGINT NOT NULL, trades BIGINT NOT NULL, volume BIGINT NOT NULL, PRIMARY KEY (symbol, window_start)
            """, profitColumns)
        + rebuiltWithoutRowid(
            "top_profit_windows",
            """
            window_start BIGINT PRIMARY KEY NOT NULL, window_end BIGINT NOT NULL, symbol TEXT NOT NULL,
            profit BIGINT NOT NULL, profit_pct BIGINT NOT NULL, record TEXT NOT NULL
            """, topProfitColumns)

    /// PostgreSQL's version 3. A one-day candle query read its 1,440 rows from nearly every page of the heap (rows of
    /// all symbols interleave in time order): the key now carries every column, so the query is an index-only scan
    /// of consecutive entries. That needs the pages marked all-visible, which autovacuum does; it runs on this table
    /// after 2 % of its rows changed or were added instead of 20 %, so the visibility map keeps up with the trading day.
    /// The text keys compare as bytes (`COLLATE "C"`), as SQLite's do, instead of by the server's locale: the same
    /// order of symbols from both stores, and no locale-aware comparison a key in every index step.
    static let postgresVersion3 = [
        """
        ALTER TABLE trades ALTER COLUMN trade_id TYPE TEXT COLLATE "C", ALTER COLUMN symbol TYPE TEXT COLLATE "C"
        """,
        #"ALTER TABLE candles_1m ALTER COLUMN symbol TYPE TEXT COLLATE "C""#,
        #"ALTER TABLE sma_windows ALTER COLUMN symbol TYPE TEXT COLLATE "C""#,
        #"ALTER TABLE profit_windows ALTER COLUMN symbol TYPE TEXT COLLATE "C""#,
        """
        ALTER TABLE candles_1m DROP CONSTRAINT candles_1m_pkey, ADD CONSTRAINT candles_1m_pkey PRIMARY KEY (symbol, start)
        INCLUDE (open, high, low, close, volume, trades, first_time, first_seq, last_time, last_seq)
        """,
        """
        ALTER TABLE candles_1m SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02,
        autovacuum_analyze_scale_factor = 0.02)
        """,
    ]

    /// PostgreSQL's version 4: each symbol's candles of an hour also as one row of `candle_hours` (`CandleHour`),
    /// written in the same transaction as their `candles_1m` rows, which stay the table to query with SQL. The day
    /// query reads 24 of them. `candles_1m`'s key goes back to the key alone: every column in the key made each
    /// update of a candle a new index entry; with room left on its pages (fill factor 80) an update stays on its page.
    static let postgresVersion4 = [
        """
        CREATE TABLE candle_hours (
            symbol TEXT COLLATE "C" NOT NULL, hour_start BIGINT NOT NULL, minutes BYTEA NOT NULL, PRIMARY KEY (symbol, hour_start))
        WITH (toast_tuple_target = 8160, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)
        """,
        // An hour (at most 60 × 88 bytes) stays in its row: no TOAST table to look it up in, no compression.
        "ALTER TABLE candle_hours ALTER COLUMN minutes SET STORAGE MAIN",
        packCandleHours,
        "ALTER TABLE candles_1m DROP CONSTRAINT candles_1m_pkey, ADD CONSTRAINT candles_1m_pkey PRIMARY KEY (symbol, start)",
        "ALTER TABLE candles_1m SET (fillfactor = 80)",
    ]

    /// `candle_hours` from every row of `candles_1m` (into an empty table): the migration's and the rebuild's.
    static let packCandleHours = """
        INSERT INTO candle_hours (symbol, hour_start, minutes)
        SELECT symbol, start - ((start % 3600000) + 3600000) % 3600000,
            string_agg(\(names(candleValueColumns).map { "int8send(\($0))" }.joined(separator: " || ")), ''::bytea ORDER BY start)
        FROM candles_1m GROUP BY 1, 2
        """

    /// Statements that copy `table` into a `WITHOUT ROWID` table of `definition` and put it in the old one's place.
    static func rebuiltWithoutRowid(_ table: String, _ definition: String, _ columns: String, indexes: [String] = []) -> [String] {
        [
            "CREATE TABLE \(table)_v3 (\(definition)) WITHOUT ROWID",
            "INSERT INTO \(table)_v3 (\(columns)) SELECT \(columns) FROM \(table)",
            "DROP TABLE \(table)",
            "ALTER TABLE \(table)_v3 RENAME TO \(table)",
        ] + indexes
    }

    static let smaColumns = "symbol, window_start, window_end, sma, trades, vwap"
    static let profitColumns = "symbol, window_start, window_end, open, high, low, close, profit, profit_pct, trades, volume"
    static let topProfitColumns = "window_start, window_end, symbol, profit, profit_pct, record"

    static let tradeColumns = "trade_id, symbol, trade_time, seq, price, quantity, buy_order_id, sell_order_id, aggressor_side"
    /// A candle's columns after its symbol (what a query of one symbol reads).
    static let candleValueColumns = "start, open, high, low, close, volume, trades, first_time, first_seq, last_time, last_seq"
    static let candleColumns = "symbol, " + candleValueColumns

    /// The column names of a list such as `tradeColumns`.
    static func names(_ columns: String) -> [String] {
        columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static let tradeColumnNames = names(tradeColumns)

    enum Placeholders { case question, dollar }

    static func list(_ count: Int, _ style: Placeholders) -> String {
        (1...count).map { style == .question ? "?" : "$\($0)" }.joined(separator: ", ")
    }

    /// Inserts a trade unless its identity is stored (one changed row when it was new); SQLite's placeholders.
    static let insertTrade = "INSERT INTO trades (\(tradeColumns)) VALUES (\(list(9, .question))) ON CONFLICT (trade_id) DO NOTHING"

    static func replaceCandle(placeholders: Placeholders) -> String {
        """
        INSERT INTO candles_1m (\(candleColumns)) VALUES (\(list(12, placeholders))) ON CONFLICT (symbol, start) DO UPDATE SET
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume,
        trades = excluded.trades, first_time = excluded.first_time, first_seq = excluded.first_seq,
        last_time = excluded.last_time, last_seq = excluded.last_seq
        """
    }

    /// Inserts or replaces the row of `table` named by its first `keyCount` columns.
    static func upsert(_ table: String, _ columns: String, keyCount: Int, placeholders: Placeholders) -> String {
        let names = HistorySchema.names(columns)
        let updates = names.dropFirst(keyCount).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return "INSERT INTO \(table) (\(columns)) VALUES (\(list(names.count, placeholders))) "
            + "ON CONFLICT (\(names.prefix(keyCount).joined(separator: ", "))) DO UPDATE SET \(updates)"
    }

    static func upsertPosition(placeholders: Placeholders) -> String {
        """
        INSERT INTO input_positions (topic, partition_number, next_offset) VALUES (\(list(3, placeholders)))
        ON CONFLICT (topic, partition_number) DO UPDATE SET next_offset = excluded.next_offset
        """
    }
}
