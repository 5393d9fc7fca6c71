/// Candles from trades, and coarser candles from finer ones: the one aggregation the stage, `--rebuild` and the
/// queries share.
public enum CandleAggregation {
    /// Folds `trades` into `candles` (1-minute candles by key).
    public static func add(_ trades: some Sequence<HistoryTrade>, to candles: inout [CandleKey: Candle]) {
        for trade in trades {
            let candle = Candle(trade)
            // One hash of the key a trade, the candle merged in place.
            if let index = candles.index(forKey: candle.key) {
                candles.values[index] = candles.values[index].merged(with: candle)
            } else {
                candles[candle.key] = candle
            }
        }
    }

    /// The 1-minute candles of `trades`, ordered by symbol then start.
    public static func minuteCandles(_ trades: some Sequence<HistoryTrade>) -> [Candle] {
        var candles: [CandleKey: Candle] = [:]
        add(trades, to: &candles)
        return candles.values.sorted { $0.key < $1.key }
    }

    /// `interval` candles from the 1-minute candles of one symbol ordered by start (as the stores return them).
    public static func coarsen(_ minutes: [Candle], to interval: CandleInterval) -> [Candle] {
        guard interval != .minute else { return minutes }
        var result: [Candle] = []
        for candle in minutes {
            let start = interval.start(of: candle.start)
            if let last = result.last, last.start == start, last.symbol == candle.symbol {
                result[result.count - 1] = last.merged(with: candle)
            } else {
                var first = candle
                first.start = start
                result.append(first)
            }
        }
        return result
    }
}
