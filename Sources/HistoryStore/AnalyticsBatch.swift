import ExchangeRecords

/// The final analytics records of one batch of input (`SMA_HOPPING_TABLE`, `stock_profit`, `top_profit`), each a
/// table row by its topic's key: a later record of a window replaces an earlier one.
public struct AnalyticsBatch: Sendable, Equatable {
    public var movingAverages: [SimpleMovingAverage]
    public var profits: [StockProfit]
    public var topProfits: [TopProfit]

    public init(movingAverages: [SimpleMovingAverage] = [], profits: [StockProfit] = [], topProfits: [TopProfit] = []) {
        self.movingAverages = movingAverages
        self.profits = profits
        self.topProfits = topProfits
    }

    public var isEmpty: Bool { movingAverages.isEmpty && profits.isEmpty && topProfits.isEmpty }

    /// The last record of each window, in the order of those last records: what the batch leaves in the tables. (A
    /// multi-row upsert may not touch one row twice.)
    public var latest: AnalyticsBatch {
        AnalyticsBatch(
            movingAverages: Self.lastOfEach(movingAverages) { WindowKey($0.stockSymbol, $0.windowStart) },
            profits: Self.lastOfEach(profits) { WindowKey($0.stockSymbol, $0.windowStart) },
            topProfits: Self.lastOfEach(topProfits) { WindowKey("", $0.windowStart) })
    }

    private struct WindowKey: Hashable {
        let symbol: String
        let start: Int64
        init(_ symbol: String, _ start: Int64) { (self.symbol, self.start) = (symbol, start) }
    }

    private static func lastOfEach<T>(_ records: [T], _ key: (T) -> WindowKey) -> [T] {
        var last: [WindowKey: Int] = [:]
        for (i, record) in records.enumerated() { last[key(record)] = i }
        return records.indices.filter { last[key(records[$0])] == $0 }.map { records[$0] }
    }
}

extension TopProfit {
    /// The record as its topic carries it: what `top_profit_windows.record` holds.
    var jsonText: String { String(decoding: encoded(), as: UTF8.self) }
}
