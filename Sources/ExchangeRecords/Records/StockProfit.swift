/// A value of `stock_profit` (key: `SYMBOL@WINDOW_START`): one window's open/high/low/close and profit.
public struct StockProfit: Sendable, Hashable {
    public var stockSymbol: String
    public var windowStart: Int64
    public var windowEnd: Int64
    public var open: FixedDecimal
    public var high: FixedDecimal
    public var low: FixedDecimal
    public var close: FixedDecimal
    /// `close - open`.
    public var profit: FixedDecimal
    /// `profit / open * 100`, rounded by the producer to six digits.
    public var profitPct: FixedDecimal
    /// Number of trades in the window.
    public var trades: Int64
    /// Shares traded in the window.
    public var volume: Int64

    public init(
        stockSymbol: String, windowStart: Int64, windowEnd: Int64, open: FixedDecimal, high: FixedDecimal,
        low: FixedDecimal, close: FixedDecimal, profit: FixedDecimal, profitPct: FixedDecimal, trades: Int64,
        volume: Int64
    ) {
        self.stockSymbol = stockSymbol
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.profit = profit
        self.profitPct = profitPct
        self.trades = trades
        self.volume = volume
    }
}

extension StockProfit: JSONRecord, JSONObjectReadable {
    static let table = FieldTable([
        "STOCK_SYMBOL", "WINDOW_START", "WINDOW_END", "OPEN", "HIGH", "LOW", "CLOSE", "PROFIT", "PROFIT_PCT",
        "TRADES", "VOLUME",
    ])

    public static var fieldNames: [String] { table.names }

    public func encode(into b: inout [UInt8]) {
        b.appendLiteral("{\"STOCK_SYMBOL\":")
        b.appendJSONString(stockSymbol)
        b.appendLiteral(",\"WINDOW_START\":")
        b.appendInteger(windowStart)
        b.appendLiteral(",\"WINDOW_END\":")
        b.appendInteger(windowEnd)
        b.appendLiteral(",\"OPEN\":")
        b.appendDecimal(open)
        b.appendLiteral(",\"HIGH\":")
        b.appendDecimal(high)
        b.appendLiteral(",\"LOW\":")
        b.appendDecimal(low)
        b.appendLiteral(",\"CLOSE\":")
        b.appendDecimal(close)
        b.appendLiteral(",\"PROFIT\":")
        b.appendDecimal(profit)
        b.appendLiteral(",\"PROFIT_PCT\":")
        b.appendDecimal(profitPct)
        b.appendLiteral(",\"TRADES\":")
        b.appendInteger(trades)
        b.appendLiteral(",\"VOLUME\":")
        b.appendInteger(volume)
        b.append(UInt8(ascii: "}"))
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from r: inout JSONReader) throws(RecordDecodingError) -> StockProfit {
        try r.beginObject(field: nil)
        var symbol: String?, start: Int64?, end: Int64?, open: FixedDecimal?, high: FixedDecimal?
        var low: FixedDecimal?, close: FixedDecimal?, profit: FixedDecimal?, pct: FixedDecimal?
        var trades: Int64?, volume: Int64?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            switch index {
            case 0: symbol = try r.readSymbol(field: "STOCK_SYMBOL")
            case 1: start = try r.readInt64(field: "WINDOW_START")
            case 2: end = try r.readInt64(field: "WINDOW_END")
            case 3: open = try r.readDecimal(field: "OPEN")
            case 4: high = try r.readDecimal(field: "HIGH")
            case 5: low = try r.readDecimal(field: "LOW")
            case 6: close = try r.readDecimal(field: "CLOSE")
            case 7: profit = try r.readDecimal(field: "PROFIT")
            case 8: pct = try r.readDecimal(field: "PROFIT_PCT")
            case 9: trades = try r.readNonNegative(field: "TRADES")
            default: volume = try r.readNonNegative(field: "VOLUME")
            }
        }
        return StockProfit(
            stockSymbol: try r.required(symbol, "STOCK_SYMBOL"), windowStart: try r.required(start, "WINDOW_START"),
            windowEnd: try r.required(end, "WINDOW_END"), open: try r.required(open, "OPEN"),
            high: try r.required(high, "HIGH"), low: try r.required(low, "LOW"), close: try r.required(close, "CLOSE"),
            profit: try r.required(profit, "PROFIT"), profitPct: try r.required(pct, "PROFIT_PCT"),
            trades: try r.required(trades, "TRADES"), volume: try r.required(volume, "VOLUME"))
    }
}
