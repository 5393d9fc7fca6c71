/// A value of `top_profit` (key: `WINDOW_START` as decimal text): the window's leading symbol and full ranking.
public struct TopProfit: Sendable, Hashable {
    public var windowStart: Int64
    public var windowEnd: Int64
    /// The leader (first of `ranking`).
    public var stockSymbol: String
    public var profit: FixedDecimal
    public var profitPct: FixedDecimal
    /// Every symbol of the window, best first.
    public var ranking: [ProfitRankingEntry]

    public init(
        windowStart: Int64, windowEnd: Int64, stockSymbol: String, profit: FixedDecimal, profitPct: FixedDecimal,
        ranking: [ProfitRankingEntry]
    ) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.stockSymbol = stockSymbol
        self.profit = profit
        self.profitPct = profitPct
        self.ranking = ranking
    }
}

/// One line of `top_profit`'s `RANKING` array.
public struct ProfitRankingEntry: Sendable, Hashable {
    public var stockSymbol: String
    public var profit: FixedDecimal
    public var profitPct: FixedDecimal

    public init(stockSymbol: String, profit: FixedDecimal, profitPct: FixedDecimal) {
        self.stockSymbol = stockSymbol
        self.profit = profit
        self.profitPct = profitPct
    }

    /// Field names inside each `RANKING` element.
    public static var fieldNames: [String] { table.names }
    static let table = FieldTable(["STOCK_SYMBOL", "PROFIT", "PROFIT_PCT"])

    func encode(into b: inout [UInt8]) {
        b.appendLiteral("{\"STOCK_SYMBOL\":")
        b.appendJSONString(stockSymbol)
        b.appendLiteral(",\"PROFIT\":")
        b.appendDecimal(profit)
        b.appendLiteral(",\"PROFIT_PCT\":")
        b.appendDecimal(profitPct)
        b.append(UInt8(ascii: "}"))
    }

    static func read(from r: inout JSONReader, field: String) throws(RecordDecodingError) -> ProfitRankingEntry {
        try r.beginObject(field: field)
        let outer = r.fieldPrefix
        r.fieldPrefix = outer + field + "."
        defer { r.fieldPrefix = outer }
        var symbol: String?, profit: FixedDecimal?, pct: FixedDecimal?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            switch index {
            case 0: symbol = try r.readSymbol(field: "STOCK_SYMBOL")
            case 1: profit = try r.readDecimal(field: "PROFIT")
            default: pct = try r.readDecimal(field: "PROFIT_PCT")
            }
        }
        return ProfitRankingEntry(
            stockSymbol: try r.required(symbol, "STOCK_SYMBOL"), profit: try r.required(profit, "PROFIT"),
            profitPct: try r.required(pct, "PROFIT_PCT"))
    }
}

extension TopProfit: JSONRecord, JSONObjectReadable {
    static let table = FieldTable(["WINDOW_START", "WINDOW_END", "STOCK_SYMBOL", "PROFIT", "PROFIT_PCT", "RANKING"])

    public static var fieldNames: [String] { table.names }

    /// Up to 10,000 ranked symbols.
    public static var maximumJSONBytes: Int { 1024 * 1024 }

    public func encode(into b: inout [UInt8]) {
        b.appendLiteral("{\"WINDOW_START\":")
        b.appendInteger(windowStart)
        b.appendLiteral(",\"WINDOW_END\":")
        b.appendInteger(windowEnd)
        b.appendLiteral(",\"STOCK_SYMBOL\":")
        b.appendJSONString(stockSymbol)
        b.appendLiteral(",\"PROFIT\":")
        b.appendDecimal(profit)
        b.appendLiteral(",\"PROFIT_PCT\":")
        b.appendDecimal(profitPct)
        b.appendLiteral(",\"RANKING\":[")
        for (i, entry) in ranking.enumerated() {
            if i > 0 { b.append(UInt8(ascii: ",")) }
            entry.encode(into: &b)
        }
        b.appendLiteral("]}")
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from r: inout JSONReader) throws(RecordDecodingError) -> TopProfit {
        try r.beginObject(field: nil)
        var start: Int64?, end: Int64?, symbol: String?, profit: FixedDecimal?, pct: FixedDecimal?
        var ranking: [ProfitRankingEntry]?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            switch index {
            case 0: start = try r.readInt64(field: "WINDOW_START")
            case 1: end = try r.readInt64(field: "WINDOW_END")
            case 2: symbol = try r.readSymbol(field: "STOCK_SYMBOL")
            case 3: profit = try r.readDecimal(field: "PROFIT")
            case 4: pct = try r.readDecimal(field: "PROFIT_PCT")
            default:
                try r.beginArray(field: "RANKING")
                var entries: [ProfitRankingEntry] = []
                while try r.nextElement(count: entries.count) {
                    if entries.count >= 10_000 { throw r.error("RANKING", "more than 10000 entries") }
                    entries.append(try ProfitRankingEntry.read(from: &r, field: "RANKING[\(entries.count)]"))
                }
                ranking = entries
            }
        }
        return TopProfit(
            windowStart: try r.required(start, "WINDOW_START"), windowEnd: try r.required(end, "WINDOW_END"),
            stockSymbol: try r.required(symbol, "STOCK_SYMBOL"), profit: try r.required(profit, "PROFIT"),
            profitPct: try r.required(pct, "PROFIT_PCT"), ranking: try r.required(ranking, "RANKING"))
    }
}
