import ExchangeRecords
import History

/// Trades for the history's tests and benchmark, and candles computed the plain way (sort, group, first, last), to
/// hold the history's incremental aggregation against.
public enum HistoryWorkload {
    /// `count` trades over `symbols` symbols from `start`, `spacing` ms apart on average, in each symbol's order of
    /// (time, seq), the times jittering so that some arrive out of time order. Same seed, same trades.
    public static func trades(count: Int, symbols: Int = 4, start: Int64 = 1_700_000_000_000, spacing: Int64 = 50, seed: UInt64) -> [HistoryTrade] {
        var state = seed
        func next() -> UInt64 {
            // SplitMix64.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<count).map { i in
            let symbol = "SYM\(Int(next() % UInt64(symbols)))"
            let jitter = Int64(next() % 2_000) - 1_000
            return HistoryTrade(
                tradeId: "trade-\(seed)-\(i)", symbol: symbol, tradeTime: start + Int64(i) * spacing + jitter, seq: Int64(i + 1),
                priceMicros: 100_000_000 + Int64(next() % 400) * 50_000, quantity: Int64(1 + next() % 500),
                buyOrderId: "buy-\(i)", sellOrderId: "sell-\(i)", aggressorSide: next() % 2 == 0 ? "BUY" : "SELL")
        }
    }

    /// The `interval` candles of `trades` (duplicates by trade id counted once), ordered by symbol then start.
    public static func referenceCandles(_ trades: [HistoryTrade], interval: CandleInterval = .minute) -> [Candle] {
        var seen: Set<String> = []
        let unique = trades.filter { seen.insert($0.tradeId).inserted }
        let groups = Dictionary(grouping: unique) { CandleKey(symbol: $0.symbol, start: interval.start(of: $0.tradeTime)) }
        return groups.keys.sorted().compactMap { key -> Candle? in
            guard let group = groups[key]?.sorted(by: { $0.cursor < $1.cursor }), let first = group.first, let last = group.last else {
                return nil
            }
            return Candle(
                symbol: key.symbol, start: key.start, open: first.priceMicros, high: group.map(\.priceMicros).max() ?? 0,
                low: group.map(\.priceMicros).min() ?? 0, close: last.priceMicros, volume: group.map(\.quantity).reduce(0, +),
                trades: Int64(group.count), first: first.cursor, last: last.cursor)
        }
    }

    /// The `matched_trades` record of a trade (the limits and traders, which the history does not keep, left out).
    public static func record(_ trade: HistoryTrade) -> MatchedTrade {
        MatchedTrade(
            tradeId: trade.tradeId, buyOrderId: trade.buyOrderId, sellOrderId: trade.sellOrderId, buyStockSymbol: trade.symbol,
            price: FixedDecimal(micros: trade.priceMicros), buyPrice: nil, sellPrice: nil, quantity: trade.quantity,
            buyTraderId: nil, sellTraderId: nil, aggressorSide: trade.aggressorSide == "BUY" ? .buy : .sell,
            tradeTime: trade.tradeTime, seq: trade.seq)
    }
}
