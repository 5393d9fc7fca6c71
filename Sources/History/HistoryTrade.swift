/// One trade as the history keeps it: what `matched_trades` says of it, prices in micro-units.
public struct HistoryTrade: Sendable, Hashable {
    public var tradeId: String
    public var symbol: String
    /// Epoch milliseconds.
    public var tradeTime: Int64
    /// The matcher's dense per-partition sequence; a symbol lives in one partition, so (time, seq) orders its trades.
    public var seq: Int64
    public var priceMicros: Int64
    public var quantity: Int64
    public var buyOrderId: String
    public var sellOrderId: String
    /// `BUY` or `SELL`.
    public var aggressorSide: String

    public init(
        tradeId: String, symbol: String, tradeTime: Int64, seq: Int64, priceMicros: Int64, quantity: Int64,
        buyOrderId: String, sellOrderId: String, aggressorSide: String
    ) {
        self.tradeId = tradeId
        self.symbol = symbol
        self.tradeTime = tradeTime
        self.seq = seq
        self.priceMicros = priceMicros
        self.quantity = quantity
        self.buyOrderId = buyOrderId
        self.sellOrderId = sellOrderId
        self.aggressorSide = aggressorSide
    }

    /// Where the trade stands in its symbol's order of trades, and where a page of trades resumes.
    public var cursor: TradeCursor { TradeCursor(time: tradeTime, seq: seq) }
}

/// A position in a symbol's trades, ordered by time then sequence: the open and close of a candle are the trades
/// with the least and greatest cursor, and a page of trades continues after one.
public struct TradeCursor: Sendable, Hashable, Comparable, LosslessStringConvertible {
    public var time: Int64
    public var seq: Int64

    public init(time: Int64, seq: Int64) {
        self.time = time
        self.seq = seq
    }

    public static func < (a: TradeCursor, b: TradeCursor) -> Bool {
        (a.time, a.seq) < (b.time, b.seq)
    }

    /// `TIME_SEQ`, the API's opaque `cursor` text.
    public var description: String { "\(time)_\(seq)" }

    /// Parses what `description` writes: two runs of 1 to 15 digits (times and sequences are never negative).
    public init?(_ description: String) {
        let parts = description.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...15).contains($0.utf8.count) && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
            let time = Int64(parts[0]), let seq = Int64(parts[1])
        else { return nil }
        self.init(time: time, seq: seq)
    }
}
