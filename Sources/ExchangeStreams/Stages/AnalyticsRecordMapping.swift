import ExchangeRecords
import StreamAnalytics

/// The mapping between wire records (ExchangeRecords) and the StreamAnalytics domain types, shared by the `sma`,
/// `profit` and `top` stages and by `exchange analytics --stdio`.
///
/// The analytics library computes in micro-units; this is where its results become the `SMA_HOPPING_TABLE`,
/// `stock_profit` and `top_profit` records with their keys, and late trades become dead-letter reasons.
public enum AnalyticsRecordMapping {
    /// One record of the analytics' input log.
    public enum Input: Sendable, Hashable {
        case trade(AnalyticsTrade)
        /// `{"type":"TICK","timestamp":T}`: event time advances with no trade.
        case tick(Int64)
    }

    /// Decodes one `matched_trades` value: a trade, or a tick record (as `IncomingOrder.tick` encodes it).
    /// Strict: unknown or missing fields, bad numbers and values the analytics cannot use throw, naming the field.
    public static func decodeInput(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Input {
        let trade: MatchedTrade
        do {
            trade = try MatchedTrade.decode(json: json)
        } catch {
            // Not a trade: a tick is the only other record allowed here; otherwise report the trade error.
            if let order = try? IncomingOrder.decode(json: json), case .tick(let tick) = order {
                guard tick.timestamp >= 0, tick.timestamp <= WindowAggregator.maximumTimestamp else {
                    throw RecordDecodingError(
                        field: "timestamp",
                        reason: "must be in 0...\(WindowAggregator.maximumTimestamp), got \(tick.timestamp)")
                }
                return .tick(tick.timestamp)
            }
            throw error
        }
        return .trade(try analyticsTrade(trade))
    }

    public static func decodeInput(json: [UInt8]) throws(RecordDecodingError) -> Input {
        try json.withUnsafeBytes { raw in Result { () throws(RecordDecodingError) in try decodeInput(json: raw) } }.get()
    }

    /// A `matched_trades` record as the analytics' input: symbol `BUY_STOCK_SYMBOL`, execution `PRICE` in micros,
    /// `QUANTITY`, event time `TRADE_TIME`, tie-breaker `SEQ`.
    public static func analyticsTrade(_ trade: MatchedTrade) throws(RecordDecodingError) -> AnalyticsTrade {
        guard !trade.buyStockSymbol.isEmpty else {
            throw RecordDecodingError(field: "BUY_STOCK_SYMBOL", reason: "must not be empty")
        }
        guard trade.price.micros > 0 else {
            throw RecordDecodingError(field: "PRICE", reason: "must be positive, got \(trade.price)")
        }
        guard trade.quantity > 0 else {
            throw RecordDecodingError(field: "QUANTITY", reason: "must be positive, got \(trade.quantity)")
        }
        guard trade.tradeTime >= 0, trade.tradeTime <= WindowAggregator.maximumTimestamp else {
            throw RecordDecodingError(
                field: "TRADE_TIME", reason: "must be in 0...\(WindowAggregator.maximumTimestamp), got \(trade.tradeTime)")
        }
        return AnalyticsTrade(
            symbol: trade.buyStockSymbol, price: trade.price.micros, quantity: trade.quantity, time: trade.tradeTime,
            seq: trade.seq)
    }

    /// The `SMA_HOPPING_TABLE` record and its key `SYMBOL@WINDOW_START`.
    public static func smaRecord(_ result: SymbolWindowResult) -> (key: String, value: SimpleMovingAverage) {
        (RecordKey.window(symbol: result.symbol, windowStart: result.windowStart), SimpleMovingAverage(
            stockSymbol: result.symbol, sma: FixedDecimal(micros: result.sma), windowStart: result.windowStart,
            windowEnd: result.windowEnd, count: result.count, vwap: FixedDecimal(micros: result.vwap)))
    }

    /// The `stock_profit` record and its key `SYMBOL@WINDOW_START`. `PROFIT_PCT` is in percent (6 digits).
    public static func profitRecord(_ result: SymbolWindowResult) -> (key: String, value: StockProfit) {
        (RecordKey.window(symbol: result.symbol, windowStart: result.windowStart), StockProfit(
            stockSymbol: result.symbol, windowStart: result.windowStart, windowEnd: result.windowEnd,
            open: FixedDecimal(micros: result.open), high: FixedDecimal(micros: result.high),
            low: FixedDecimal(micros: result.low), close: FixedDecimal(micros: result.close),
            profit: FixedDecimal(micros: result.profit), profitPct: FixedDecimal(micros: result.profitPercent),
            trades: result.count, volume: result.volume))
    }

    /// The `top_profit` record and its key `WINDOW_START`: the leader and the whole ranking.
    public static func topProfitRecord(_ result: TopProfitResult) -> (key: String, value: TopProfit) {
        let ranking = result.ranking.map {
            ProfitRankingEntry(
                stockSymbol: $0.symbol, profit: FixedDecimal(micros: $0.profit),
                profitPct: FixedDecimal(micros: $0.profitPercent))
        }
        let leader = ranking[0]
        return (RecordKey.window(start: result.windowStart), TopProfit(
            windowStart: result.windowStart, windowEnd: result.windowEnd, stockSymbol: leader.stockSymbol,
            profit: leader.profit, profitPct: leader.profitPct, ranking: ranking))
    }

    /// Merges `top_profit` records of the same window computed over disjoint symbol sets (one per partition) into
    /// the window's ranking over all of them: profit descending, then symbol ascending (UTF-8 bytes), the same
    /// order the aggregator uses. Records for another window than the first one's are ignored; a symbol listed
    /// twice keeps its first entry in that order. Nil when there is nothing to rank.
    public static func mergeTopProfit(_ partials: [TopProfit]) -> (key: String, value: TopProfit)? {
        guard let first = partials.first else { return nil }
        var seen: Set<String> = []
        let ranking = partials.filter { $0.windowStart == first.windowStart }.flatMap(\.ranking)
            .sorted {
                $0.profit != $1.profit
                    ? $0.profit > $1.profit : $0.stockSymbol.utf8.lexicographicallyPrecedes($1.stockSymbol.utf8)
            }
            .filter { seen.insert($0.stockSymbol).inserted }
        guard let leader = ranking.first else { return nil }
        return (RecordKey.window(start: first.windowStart), TopProfit(
            windowStart: first.windowStart, windowEnd: first.windowEnd, stockSymbol: leader.stockSymbol,
            profit: leader.profit, profitPct: leader.profitPct, ranking: ranking))
    }

    /// A dead letter for a late trade: the source record's coordinates and raw bytes, and the late reason.
    /// `timestamp` is the trade's event time (deterministic; no wall clock).
    public static func deadLetter(
        _ late: LateTrade, sourceTopic: String = Topology.matchedTrades.name, sourcePartition: Int32, sourceOffset: Int64,
        rawPayload: some Collection<UInt8>, stage: String
    ) -> DeadLetter {
        DeadLetter(
            sourceTopic: sourceTopic, sourcePartition: sourcePartition, sourceOffset: sourceOffset,
            rawPayload: rawPayload, reason: late.reason, stage: stage, timestamp: late.trade.time)
    }
}
