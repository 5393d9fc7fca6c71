import ExchangeRecords

/// Where the history stage stood in one input partition: the next offset to read. Stored in the same transaction as
/// the rows that reading up to it produced, so the database alone says where to resume.
public struct InputPosition: Sendable, Hashable, Comparable {
    public var topic: String
    public var partition: Int32
    public var nextOffset: Int64

    public init(topic: String, partition: Int32, nextOffset: Int64) {
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
    }

    public static func < (a: InputPosition, b: InputPosition) -> Bool {
        (a.topic, a.partition, a.nextOffset) < (b.topic, b.partition, b.nextOffset)
    }
}

/// The query side of the history, as the gateway and the tools read it.
public protocol HistoryReader: Sendable {
    /// The stored 1-minute candles of `symbol` starting in `[from, to)`, ordered by start.
    func minuteCandles(symbol: String, from: Int64, to: Int64) async throws -> [Candle]

    /// Up to `limit` trades of `symbol` with a time in `[from, to)` after `cursor` (all when nil), in cursor order.
    func trades(symbol: String, from: Int64, to: Int64, after cursor: TradeCursor?, limit: Int) async throws -> [HistoryTrade]

    /// The stored `SMA_HOPPING_TABLE` windows of `symbol` starting in `[from, to)`, ordered by start.
    func movingAverages(symbol: String, from: Int64, to: Int64) async throws -> [SimpleMovingAverage]

    /// The stored `stock_profit` windows of `symbol` starting in `[from, to)`, ordered by start.
    func profits(symbol: String, from: Int64, to: Int64) async throws -> [StockProfit]

    /// The stored `top_profit` rankings of the windows starting in `[from, to)`, ordered by start.
    func topProfits(from: Int64, to: Int64) async throws -> [TopProfit]
}

extension HistoryReader {
    /// `interval` candles of `symbol` starting in `[from, to)`, derived from the 1-minute candles.
    public func candles(symbol: String, interval: CandleInterval, from: Int64, to: Int64) async throws -> [Candle] {
        // Whole intervals: from the start of the interval holding `from`, so the first candle is not a partial one.
        let minutes = try await minuteCandles(symbol: symbol, from: interval.start(of: from), to: to)
        return CandleAggregation.coarsen(minutes, to: interval)
    }
}
