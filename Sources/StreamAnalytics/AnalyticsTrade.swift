/// One executed trade as the analytics see it.
public struct AnalyticsTrade: Sendable, Hashable {
    public var symbol: String
    /// Execution price in micro-units (1e-6); must be positive.
    public var price: Int64
    /// Shares; must be positive.
    public var quantity: Int64
    /// Event time in epoch milliseconds; must be non-negative (windows start at the epoch).
    public var time: Int64
    /// Tie-breaker for trades with the same event time (the matcher's `SEQ`): open is the trade with the
    /// smallest `(time, seq)`, close the one with the largest.
    public var seq: Int64

    public init(symbol: String, price: Int64, quantity: Int64, time: Int64, seq: Int64) {
        self.symbol = symbol
        self.price = price
        self.quantity = quantity
        self.time = time
        self.seq = seq
    }
}

/// A dense handle for a symbol, valid only for the aggregator that issued it (see `WindowAggregator.intern`).
public struct SymbolId: Sendable, Hashable {
    public let rawValue: Int
    init(_ rawValue: Int) { self.rawValue = rawValue }
}
