/// Fixed-point conventions of every result: prices, SMA, VWAP and profit are `Int64` micro-units (1e-6);
/// percentages are micro-percent (`12.5 %` is `12_500_000`). Averages and percentages are exact rationals
/// rounded once to the nearest micro-unit, halves away from zero, so they print with 6 fractional digits.

/// One symbol's aggregates over one window (feeds `SMA_HOPPING_TABLE` and `stock_profit`).
public struct SymbolWindowResult: Sendable, Hashable {
    public var symbol: String
    /// Window start, inclusive, epoch ms.
    public var windowStart: Int64
    /// Window end, exclusive, epoch ms.
    public var windowEnd: Int64
    /// Number of trades.
    public var count: Int64
    /// Sum of quantities.
    public var volume: Int64
    /// Mean execution price, micros: `round(Σ price / count)`.
    public var sma: Int64
    /// Volume-weighted average price, micros: `round(Σ price·quantity / Σ quantity)`.
    public var vwap: Int64
    /// Price of the earliest trade by `(time, seq)`.
    public var open: Int64
    public var high: Int64
    public var low: Int64
    /// Price of the latest trade by `(time, seq)`.
    public var close: Int64
    /// `close − open`, micros.
    public var profit: Int64
    /// `(close − open) / open · 100`, micro-percent (saturating at `Int64` bounds).
    public var profitPercent: Int64
    /// The largest event time in the window (ksqlDB's ROWTIME of a windowed aggregate).
    public var timestamp: Int64

    public init(
        symbol: String, windowStart: Int64, windowEnd: Int64, count: Int64, volume: Int64, sma: Int64, vwap: Int64,
        open: Int64, high: Int64, low: Int64, close: Int64, profit: Int64, profitPercent: Int64, timestamp: Int64
    ) {
        self.symbol = symbol
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.count = count
        self.volume = volume
        self.sma = sma
        self.vwap = vwap
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.profit = profit
        self.profitPercent = profitPercent
        self.timestamp = timestamp
    }
}

/// One line of a window's profit ranking.
public struct ProfitRankEntry: Sendable, Hashable {
    public var symbol: String
    public var profit: Int64
    public var profitPercent: Int64
    public var open: Int64
    public var close: Int64

    public init(symbol: String, profit: Int64, profitPercent: Int64, open: Int64, close: Int64) {
        self.symbol = symbol
        self.profit = profit
        self.profitPercent = profitPercent
        self.open = open
        self.close = close
    }
}

/// The profit ranking of every symbol that traded in a window (feeds `top_profit`).
///
/// Order: profit descending, then symbol ascending (by UTF-8 bytes); `ranking[0]` is the leader.
public struct TopProfitResult: Sendable, Hashable {
    public var windowStart: Int64
    public var windowEnd: Int64
    /// Never empty.
    public var ranking: [ProfitRankEntry]
    /// The largest event time in the window.
    public var timestamp: Int64

    public var leader: ProfitRankEntry { ranking[0] }

    public init(windowStart: Int64, windowEnd: Int64, ranking: [ProfitRankEntry], timestamp: Int64) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.ranking = ranking
        self.timestamp = timestamp
    }
}

/// A trade that arrived after one or more of its windows had closed (stream time ≥ window end + grace).
///
/// It changed no result of those windows; if some of its windows were still open it was applied to them.
/// Meant for the `dead_letters` topic: `reason` is a sentence a person can act on.
public struct LateTrade: Sendable, Hashable {
    public var trade: AnalyticsTrade
    /// Starts of the closed windows the trade missed, increasing.
    public var missedWindowStarts: [Int64]
    /// Whether the trade still counted in later windows that were open.
    public var appliedToOpenWindows: Bool
    /// Stream time when the trade arrived.
    public var streamTime: Int64
    public var grace: Int64
    public var windowSize: Int64

    public var reason: String {
        let first = missedWindowStarts.first ?? 0
        let windows = missedWindowStarts.map { "[\($0),\($0 + windowSize))" }.joined(separator: ", ")
        return "late trade: event time \(trade.time) ms is past the grace period of \(grace) ms for window(s) \(windows)"
            + " (stream time \(streamTime) ms ≥ end \(first + windowSize) + grace); "
            + (appliedToOpenWindows ? "it was counted only in the later windows still open" : "it was not counted")
    }

    public init(
        trade: AnalyticsTrade, missedWindowStarts: [Int64], appliedToOpenWindows: Bool, streamTime: Int64,
        grace: Int64, windowSize: Int64
    ) {
        self.trade = trade
        self.missedWindowStarts = missedWindowStarts
        self.appliedToOpenWindows = appliedToOpenWindows
        self.streamTime = streamTime
        self.grace = grace
        self.windowSize = windowSize
    }
}

/// Everything an aggregator emits, in emission order.
public enum AnalyticsOutput: Sendable, Hashable {
    case symbolWindow(SymbolWindowResult)
    case topProfit(TopProfitResult)
    case lateTrade(LateTrade)
}

extension TopProfitResult {
    /// Combines rankings of the same window computed over disjoint sets of symbols (for example one per input
    /// partition) into the ranking of all of them, in the same order: profit descending, then symbol ascending.
    /// Partials for other windows than the first one's are ignored; if a symbol appears twice, its first entry
    /// in that order is kept. Nil when there is nothing to rank.
    public static func merging(_ partials: [TopProfitResult]) -> TopProfitResult? {
        guard let first = partials.first else { return nil }
        let same = partials.filter { $0.windowStart == first.windowStart && $0.windowEnd == first.windowEnd }
        var seen: Set<String> = []
        let ranking = same.flatMap(\.ranking)
            .sorted { $0.profit != $1.profit ? $0.profit > $1.profit : $0.symbol.utf8.lexicographicallyPrecedes($1.symbol.utf8) }
            .filter { seen.insert($0.symbol).inserted }
        guard !ranking.isEmpty else { return nil }
        return TopProfitResult(
            windowStart: first.windowStart, windowEnd: first.windowEnd, ranking: ranking,
            timestamp: same.map(\.timestamp).max() ?? first.timestamp)
    }
}
