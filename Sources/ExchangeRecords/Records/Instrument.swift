/// A value of the compacted `instruments` topic (key: symbol): what the gateway validates orders against.
public struct Instrument: Sendable, Hashable {
    public var symbol: String
    public var name: String
    public var exchange: String
    /// Prices must be multiples of this (positive).
    public var tickSize: FixedDecimal
    /// Quantities must be multiples of this (positive).
    public var lotSize: Int64
    /// Reference or last traded price.
    public var lastPrice: FixedDecimal
    /// Lowest acceptable limit price (inclusive).
    public var priceBandLow: FixedDecimal
    /// Highest acceptable limit price (inclusive).
    public var priceBandHigh: FixedDecimal
    /// Largest quantity of one order; nil for no limit.
    public var maxOrderQuantity: Int64?

    public init(
        symbol: String, name: String, exchange: String, tickSize: FixedDecimal, lotSize: Int64,
        lastPrice: FixedDecimal, priceBandLow: FixedDecimal, priceBandHigh: FixedDecimal,
        maxOrderQuantity: Int64? = nil
    ) {
        self.symbol = symbol
        self.name = name
        self.exchange = exchange
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.lastPrice = lastPrice
        self.priceBandLow = priceBandLow
        self.priceBandHigh = priceBandHigh
        self.maxOrderQuantity = maxOrderQuantity
    }
}

extension Instrument: JSONRecord, JSONObjectReadable {
    static let table = FieldTable([
        "symbol", "name", "exchange", "tick_size", "lot_size", "last_price", "price_band_low", "price_band_high",
        "max_order_quantity",
    ])

    public static var fieldNames: [String] { table.names }

    public func encode(into b: inout [UInt8]) {
        b.appendLiteral("{\"symbol\":")
        b.appendJSONString(symbol)
        b.appendLiteral(",\"name\":")
        b.appendJSONString(name)
        b.appendLiteral(",\"exchange\":")
        b.appendJSONString(exchange)
        b.appendLiteral(",\"tick_size\":")
        b.appendDecimal(tickSize)
        b.appendLiteral(",\"lot_size\":")
        b.appendInteger(lotSize)
        b.appendLiteral(",\"last_price\":")
        b.appendDecimal(lastPrice)
        b.appendLiteral(",\"price_band_low\":")
        b.appendDecimal(priceBandLow)
        b.appendLiteral(",\"price_band_high\":")
        b.appendDecimal(priceBandHigh)
        if let maxOrderQuantity {
            b.appendLiteral(",\"max_order_quantity\":")
            b.appendInteger(maxOrderQuantity)
        }
        b.append(UInt8(ascii: "}"))
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from r: inout JSONReader) throws(RecordDecodingError) -> Instrument {
        try r.beginObject(field: nil)
        var symbol: String?, name: String?, exchange: String?, tick: FixedDecimal?, lot: Int64?
        var last: FixedDecimal?, low: FixedDecimal?, high: FixedDecimal?, maxQuantity: Int64?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            switch index {
            case 0: symbol = try r.readSymbol(field: "symbol")
            case 1: name = try r.readString(field: "name")
            case 2: exchange = try r.readString(field: "exchange")
            case 3: tick = try r.readPositiveDecimal(field: "tick_size")
            case 4: lot = try r.readPositive(field: "lot_size")
            case 5: last = try r.readPositiveDecimal(field: "last_price")
            case 6: low = try r.readPositiveDecimal(field: "price_band_low")
            case 7: high = try r.readPositiveDecimal(field: "price_band_high")
            default: maxQuantity = r.consumeNull() ? nil : try r.readPositive(field: "max_order_quantity")
            }
        }
        let bandLow = try r.required(low, "price_band_low")
        let bandHigh = try r.required(high, "price_band_high")
        if bandHigh < bandLow { throw r.error("price_band_high", "below price_band_low") }
        return Instrument(
            symbol: try r.required(symbol, "symbol"), name: try r.required(name, "name"),
            exchange: try r.required(exchange, "exchange"), tickSize: try r.required(tick, "tick_size"),
            lotSize: try r.required(lot, "lot_size"), lastPrice: try r.required(last, "last_price"),
            priceBandLow: bandLow, priceBandHigh: bandHigh, maxOrderQuantity: maxQuantity)
    }
}
