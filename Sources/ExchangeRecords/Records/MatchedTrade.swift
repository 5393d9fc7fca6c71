/// A value of `matched_trades` (key: symbol), upper-case fields as the seed's ksqlDB join wrote them.
public struct MatchedTrade: Sendable, Hashable {
    /// Deterministic trade identity (the matcher derives it from its input position).
    public var tradeId: String
    public var buyOrderId: String
    public var sellOrderId: String
    public var buyStockSymbol: String
    /// Execution price: the resting order's price.
    public var price: FixedDecimal
    /// The buy order's limit price; nil for a MARKET order.
    public var buyPrice: FixedDecimal?
    /// The sell order's limit price; nil for a MARKET order.
    public var sellPrice: FixedDecimal?
    public var quantity: Int64
    /// nil for an unattributed order's side (see `NewOrder.traderId`); the field is then absent.
    public var buyTraderId: String?
    public var sellTraderId: String?
    /// The side of the incoming order that took liquidity.
    public var aggressorSide: Side
    /// Epoch milliseconds (event time of the aggressing order).
    public var tradeTime: Int64
    /// Dense per-partition sequence of the matcher's outputs.
    public var seq: Int64

    public init(
        tradeId: String, buyOrderId: String, sellOrderId: String, buyStockSymbol: String, price: FixedDecimal,
        buyPrice: FixedDecimal?, sellPrice: FixedDecimal?, quantity: Int64, buyTraderId: String?,
        sellTraderId: String?, aggressorSide: Side, tradeTime: Int64, seq: Int64
    ) {
        self.tradeId = tradeId
        self.buyOrderId = buyOrderId
        self.sellOrderId = sellOrderId
        self.buyStockSymbol = buyStockSymbol
        self.price = price
        self.buyPrice = buyPrice
        self.sellPrice = sellPrice
        self.quantity = quantity
        self.buyTraderId = buyTraderId
        self.sellTraderId = sellTraderId
        self.aggressorSide = aggressorSide
        self.tradeTime = tradeTime
        self.seq = seq
    }
}

extension MatchedTrade: JSONRecord, JSONObjectReadable {
    static let table = FieldTable([
        "TRADE_ID", "BUY_ORDER_ID", "SELL_ORDER_ID", "BUY_STOCK_SYMBOL", "PRICE", "BUY_PRICE", "SELL_PRICE",
        "QUANTITY", "BUY_TRADER_ID", "SELL_TRADER_ID", "AGGRESSOR_SIDE", "TRADE_TIME", "SEQ",
    ])

    public static var fieldNames: [String] { table.names }

    public func encode(into b: inout [UInt8]) {
        b.appendLiteral("{\"TRADE_ID\":")
        b.appendJSONString(tradeId)
        b.appendLiteral(",\"BUY_ORDER_ID\":")
        b.appendJSONString(buyOrderId)
        b.appendLiteral(",\"SELL_ORDER_ID\":")
        b.appendJSONString(sellOrderId)
        b.appendLiteral(",\"BUY_STOCK_SYMBOL\":")
        b.appendJSONString(buyStockSymbol)
        b.appendLiteral(",\"PRICE\":")
        b.appendDecimal(price)
        if let buyPrice {
            b.appendLiteral(",\"BUY_PRICE\":")
            b.appendDecimal(buyPrice)
        }
        if let sellPrice {
            b.appendLiteral(",\"SELL_PRICE\":")
            b.appendDecimal(sellPrice)
        }
        b.appendLiteral(",\"QUANTITY\":")
        b.appendInteger(quantity)
        if let buyTraderId {
            b.appendLiteral(",\"BUY_TRADER_ID\":")
            b.appendJSONString(buyTraderId)
        }
        if let sellTraderId {
            b.appendLiteral(",\"SELL_TRADER_ID\":")
            b.appendJSONString(sellTraderId)
        }
        b.appendLiteral(aggressorSide == .buy ? ",\"AGGRESSOR_SIDE\":\"BUY\"" : ",\"AGGRESSOR_SIDE\":\"SELL\"")
        b.appendLiteral(",\"TRADE_TIME\":")
        b.appendInteger(tradeTime)
        b.appendLiteral(",\"SEQ\":")
        b.appendInteger(seq)
        b.append(UInt8(ascii: "}"))
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from r: inout JSONReader) throws(RecordDecodingError) -> MatchedTrade {
        try r.beginObject(field: nil)
        var tradeId: String?, buyOrderId: String?, sellOrderId: String?, symbol: String?
        var price: FixedDecimal?, buyPrice: FixedDecimal?, sellPrice: FixedDecimal?, quantity: Int64?
        var buyTraderId: String?, sellTraderId: String?, aggressor: Side?, tradeTime: Int64?, seq: Int64?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            switch index {
            case 0: tradeId = try r.readIdentifier(field: "TRADE_ID")
            case 1: buyOrderId = try r.readIdentifier(field: "BUY_ORDER_ID")
            case 2: sellOrderId = try r.readIdentifier(field: "SELL_ORDER_ID")
            case 3: symbol = try r.readSymbol(field: "BUY_STOCK_SYMBOL")
            case 4: price = try r.readPositiveDecimal(field: "PRICE")
            case 5: buyPrice = try r.readOptionalDecimal(field: "BUY_PRICE")
            case 6: sellPrice = try r.readOptionalDecimal(field: "SELL_PRICE")
            case 7: quantity = try r.readPositive(field: "QUANTITY")
            case 8: buyTraderId = try r.readIdentifier(field: "BUY_TRADER_ID")
            case 9: sellTraderId = try r.readIdentifier(field: "SELL_TRADER_ID")
            case 10: aggressor = try r.readEnum(Side.self, field: "AGGRESSOR_SIDE")
            case 11: tradeTime = try r.readNonNegative(field: "TRADE_TIME")
            default: seq = try r.readPositive(field: "SEQ")
            }
        }
        return MatchedTrade(
            tradeId: try r.required(tradeId, "TRADE_ID"), buyOrderId: try r.required(buyOrderId, "BUY_ORDER_ID"),
            sellOrderId: try r.required(sellOrderId, "SELL_ORDER_ID"),
            buyStockSymbol: try r.required(symbol, "BUY_STOCK_SYMBOL"), price: try r.required(price, "PRICE"),
            buyPrice: buyPrice, sellPrice: sellPrice, quantity: try r.required(quantity, "QUANTITY"),
            buyTraderId: buyTraderId, sellTraderId: sellTraderId,
            aggressorSide: try r.required(aggressor, "AGGRESSOR_SIDE"),
            tradeTime: try r.required(tradeTime, "TRADE_TIME"), seq: try r.required(seq, "SEQ"))
    }
}
