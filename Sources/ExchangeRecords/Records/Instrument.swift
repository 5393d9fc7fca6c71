/// A value of the compacted `instruments` topic (key: symbol): an instrument's current definition and trading status,
/// what the gateway validates orders against. The matcher takes the same changes from the order input
/// (`InstrumentChange`), where they are sequenced with the orders.
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
    /// `TRADING` (omitted on the wire), `HALTED` or `DELISTED`.
    public var status: InstrumentStatus
    /// Why trading is halted (free text), on a `HALTED` record only.
    public var haltReason: String?

    public init(
        symbol: String, name: String, exchange: String, tickSize: FixedDecimal, lotSize: Int64,
        lastPrice: FixedDecimal, priceBandLow: FixedDecimal, priceBandHigh: FixedDecimal,
        maxOrderQuantity: Int64? = nil, status: InstrumentStatus = .trading, haltReason: String? = nil
    ) {
        self.status = status
        self.haltReason = haltReason
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
        "max_order_quantity", "status", "halt_reason",
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
        if status != .trading {
            b.appendLiteral(",\"status\":\"")
            b.append(contentsOf: status.rawValue.utf8)
            b.append(UInt8(ascii: "\""))
        }
        if let haltReason {
            b.appendLiteral(",\"halt_reason\":")
            b.appendJSONString(haltReason)
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
        var status = InstrumentStatus.trading, haltReason: String?
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
            case 8: maxQuantity = r.consumeNull() ? nil : try r.readPositive(field: "max_order_quantity")
            case 9: status = try r.readEnum(InstrumentStatus.self, field: "status")
            default: haltReason = try r.readOptionalString(field: "halt_reason")
            }
        }
        let bandLow = try r.required(low, "price_band_low")
        let bandHigh = try r.required(high, "price_band_high")
        if bandHigh < bandLow { throw r.error("price_band_high", "below price_band_low") }
        if let reason = haltReason {
            if status != .halted { throw r.error("halt_reason", "only allowed when status is HALTED") }
            if reason.utf8.count > 256 { throw r.error("halt_reason", "longer than 256 bytes") }
        }
        return Instrument(
            symbol: try r.required(symbol, "symbol"), name: try r.required(name, "name"),
            exchange: try r.required(exchange, "exchange"), tickSize: try r.required(tick, "tick_size"),
            lotSize: try r.required(lot, "lot_size"), lastPrice: try r.required(last, "last_price"),
            priceBandLow: bandLow, priceBandHigh: bandHigh, maxOrderQuantity: maxQuantity, status: status, haltReason: haltReason)
    }

    /// Why this definition cannot be traded (beyond what decoding checks), or nil: the band limits must lie on the
    /// tick grid and a lot must fit in the maximum quantity.
    public var definitionProblem: String? {
        if priceBandLow.micros % tickSize.micros != 0 || priceBandHigh.micros % tickSize.micros != 0 {
            return "field 'price_band_low': the price band limits must be multiples of tick_size \(tickSize)"
        }
        if let most = maxOrderQuantity, most < lotSize {
            return "field 'max_order_quantity': \(most) is less than one lot (\(lotSize))"
        }
        return nil
    }
}
