/// A value of `SMA_HOPPING_TABLE` (key: `SYMBOL@WINDOW_START`): one hopping window's mean execution price.
public struct SimpleMovingAverage: Sendable, Hashable {
    public var stockSymbol: String
    /// Mean execution price of the window's trades (rounded by the producer to six digits).
    public var sma: FixedDecimal
    /// Window start, epoch ms, inclusive.
    public var windowStart: Int64
    /// Window end, epoch ms, exclusive.
    public var windowEnd: Int64
    /// Number of trades in the window.
    public var count: Int64
    /// Volume-weighted average price.
    public var vwap: FixedDecimal

    public init(
        stockSymbol: String, sma: FixedDecimal, windowStart: Int64, windowEnd: Int64, count: Int64, vwap: FixedDecimal
    ) {
        self.stockSymbol = stockSymbol
        self.sma = sma
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.count = count
        self.vwap = vwap
    }
}

extension SimpleMovingAverage: JSONRecord, JSONObjectReadable {
    static let table = FieldTable(["STOCK_SYMBOL", "SMA", "WINDOW_START", "WINDOW_END", "COUNT", "VWAP"])

    public static var fieldNames: [String] { table.names }

    public func encode(into b: inout [UInt8]) {
        b.appendLiteral("{\"STOCK_SYMBOL\":")
        b.appendJSONString(stockSymbol)
        b.appendLiteral(",\"SMA\":")
        b.appendDecimal(sma)
        b.appendLiteral(",\"WINDOW_START\":")
        b.appendInteger(windowStart)
        b.appendLiteral(",\"WINDOW_END\":")
        b.appendInteger(windowEnd)
        b.appendLiteral(",\"COUNT\":")
        b.appendInteger(count)
        b.appendLiteral(",\"VWAP\":")
        b.appendDecimal(vwap)
        b.append(UInt8(ascii: "}"))
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from r: inout JSONReader) throws(RecordDecodingError) -> SimpleMovingAverage {
        try r.beginObject(field: nil)
        var symbol: String?, sma: FixedDecimal?, start: Int64?, end: Int64?, count: Int64?, vwap: FixedDecimal?
        var fields = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &fields, seen: &seen) {
            switch index {
            case 0: symbol = try r.readSymbol(field: "STOCK_SYMBOL")
            case 1: sma = try r.readDecimal(field: "SMA")
            case 2: start = try r.readInt64(field: "WINDOW_START")
            case 3: end = try r.readInt64(field: "WINDOW_END")
            case 4: count = try r.readNonNegative(field: "COUNT")
            default: vwap = try r.readDecimal(field: "VWAP")
            }
        }
        return SimpleMovingAverage(
            stockSymbol: try r.required(symbol, "STOCK_SYMBOL"), sma: try r.required(sma, "SMA"),
            windowStart: try r.required(start, "WINDOW_START"), windowEnd: try r.required(end, "WINDOW_END"),
            count: try r.required(count, "COUNT"), vwap: try r.required(vwap, "VWAP"))
    }
}
