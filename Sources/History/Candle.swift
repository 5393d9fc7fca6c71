/// The trades of one symbol in one interval: open, high, low, close (micro-units) and volume.
///
/// Merging is associative and commutative (the open and close are the trades with the least and greatest
/// `TradeCursor`), so candles can be built from trades in any order, updated batch by batch, and coarser candles
/// made from finer ones, all giving the same rows.
public struct Candle: Sendable, Hashable {
    public var symbol: String
    /// Epoch ms of the interval's start.
    public var start: Int64
    public var open: Int64
    public var high: Int64
    public var low: Int64
    public var close: Int64
    public var volume: Int64
    public var trades: Int64
    /// The cursors of the opening and closing trades.
    public var first: TradeCursor
    public var last: TradeCursor

    public init(
        symbol: String, start: Int64, open: Int64, high: Int64, low: Int64, close: Int64, volume: Int64, trades: Int64,
        first: TradeCursor, last: TradeCursor
    ) {
        self.symbol = symbol
        self.start = start
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.trades = trades
        self.first = first
        self.last = last
    }

    /// The candle of one trade in `interval`.
    public init(_ trade: HistoryTrade, interval: CandleInterval = .minute) {
        self.init(
            symbol: trade.symbol, start: interval.start(of: trade.tradeTime), open: trade.priceMicros,
            high: trade.priceMicros, low: trade.priceMicros, close: trade.priceMicros, volume: trade.quantity, trades: 1,
            first: trade.cursor, last: trade.cursor)
    }

    /// Both candles' trades in one (same symbol; the start is the earlier one's, for a coarser interval's caller to set).
    public func merged(with other: Candle) -> Candle {
        var result = self
        if other.first < first {
            result.open = other.open
            result.first = other.first
        }
        if other.last > last {
            result.close = other.close
            result.last = other.last
        }
        result.high = max(high, other.high)
        result.low = min(low, other.low)
        result.volume = volume + other.volume
        result.trades = trades + other.trades
        result.start = min(start, other.start)
        return result
    }

    /// The symbol and start, which name a candle.
    public var key: CandleKey { CandleKey(symbol: symbol, start: start) }
}

/// A candle's identity: its symbol and start.
public struct CandleKey: Sendable, Hashable, Comparable {
    public var symbol: String
    public var start: Int64

    public init(symbol: String, start: Int64) {
        self.symbol = symbol
        self.start = start
    }

    public static func < (a: CandleKey, b: CandleKey) -> Bool {
        (a.symbol, a.start) < (b.symbol, b.start)
    }
}
