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

    static let tradeColumns = "trade_id, symbol, trade_time, seq, price, quantity, buy_order_id, sell_order_id, aggressor_side"
    static let candleColumns = "symbol, start, open, high, low, close, volume, trades, first_time, first_seq, last_time, last_seq"

    enum Placeholders { case question, dollar }

    static func list(_ count: Int, _ style: Placeholders) -> String {
        (1...count).map { style == .question ? "?" : "$\($0)" }.joined(separator: ", ")
    }

    /// Inserts a trade unless its identity is stored (one changed row when it was new).
    static func insertTrade(placeholders: Placeholders) -> String {
        "INSERT INTO trades (\(tradeColumns)) VALUES (\(list(9, placeholders))) ON CONFLICT (trade_id) DO NOTHING"
    }

    static func replaceCandle(placeholders: Placeholders) -> String {
        """
        INSERT INTO candles_1m (\(candleColumns)) VALUES (\(list(12, placeholders))) ON CONFLICT (symbol, start) DO UPDATE SET
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume,
        trades = excluded.trades, first_time = excluded.first_time, first_seq = excluded.first_seq,
        last_time = excluded.last_time, last_seq = excluded.last_seq
        """
    }

    static func upsertPosition(placeholders: Placeholders) -> String {
        """
        INSERT INTO input_positions (topic, partition_number, next_offset) VALUES (\(list(3, placeholders)))
        ON CONFLICT (topic, partition_number) DO UPDATE SET next_offset = excluded.next_offset
        """
    }
}
