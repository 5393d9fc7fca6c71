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

    /// `count` analytics records as the analytics stages write them: windows of `symbols` symbols, 30 s apart, each
    /// window updated a few times (a later value replacing the earlier), in topic order. Same seed, same records.
    public static func analytics(
        count: Int, symbols: Int = 3, start: Int64 = 1_700_000_000_000, seed: UInt64
    ) -> (movingAverages: [SimpleMovingAverage], profits: [StockProfit], topProfits: [TopProfit]) {
        var state = seed
        func next(_ bound: Int) -> Int64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((state >> 33) % UInt64(bound))
        }
        var sma: [SimpleMovingAverage] = []
        var profits: [StockProfit] = []
        var tops: [TopProfit] = []
        for i in 0..<count {
            // Mostly the newest windows, now and then one a few windows back: updates of earlier rows.
            let window = Int64(i / 4) - next(3)
            let windowStart = start + max(0, window) * 30_000
            let symbol = "SYM\(next(Int(symbols)))"
            let price = FixedDecimal(micros: 100_000_000 + next(1_000) * 10_000)
            let trades = 1 + next(50)
            sma.append(
                SimpleMovingAverage(
                    stockSymbol: symbol, sma: price, windowStart: windowStart, windowEnd: windowStart + 60_000, count: trades,
                    vwap: FixedDecimal(micros: price.micros + next(100) * 1_000)))
            let open = FixedDecimal(micros: 100_000_000 + next(1_000) * 10_000)
            let profit = FixedDecimal(micros: price.micros - open.micros)
            let profitPct = FixedDecimal(micros: next(2_000_000) - 1_000_000)
            profits.append(
                StockProfit(
                    stockSymbol: symbol, windowStart: windowStart, windowEnd: windowStart + 30_000, open: open,
                    high: FixedDecimal(micros: max(open.micros, price.micros)), low: FixedDecimal(micros: min(open.micros, price.micros)),
                    close: price, profit: profit, profitPct: profitPct, trades: trades, volume: trades * 10))
            if i % 3 == 0 {
                let ranking = (0..<Int(1 + next(3))).map { r in
                    ProfitRankingEntry(
                        stockSymbol: "SYM\(r)", profit: FixedDecimal(micros: 5_000_000 - Int64(r) * 1_000_000 - next(1_000)),
                        profitPct: FixedDecimal(micros: 1_000_000 - Int64(r) * 100_000))
                }
                tops.append(
                    TopProfit(
                        windowStart: windowStart, windowEnd: windowStart + 30_000, stockSymbol: ranking[0].stockSymbol,
                        profit: ranking[0].profit, profitPct: ranking[0].profitPct, ranking: ranking))
            }
        }
        return (sma, profits, tops)
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
