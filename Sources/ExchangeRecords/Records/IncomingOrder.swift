/// A value of `incoming_orders`: a new order, a cancel, a modify or a clock tick.
///
/// A record without `type` (or with `"type":"NEW"`) is a new order, as in the seed's format; cancels, modifies and
/// ticks carry `type`. Encoding omits `type` for new orders. Fields that do not belong to the record's kind are
/// rejected (e.g. `price` on a cancel).
public enum IncomingOrder: Sendable, Hashable {
    case new(NewOrder)
    case cancel(CancelOrder)
    case modify(ModifyOrder)
    case tick(Tick)

    /// The symbol (the Kafka key); nil for ticks.
    public var stockSymbol: String? {
        switch self {
        case .new(let o): o.stockSymbol
        case .cancel(let o): o.stockSymbol
        case .modify(let o): o.stockSymbol
        case .tick: nil
        }
    }

    /// The side, which decides `buy_orders` or `sell_orders`; nil for ticks.
    public var side: Side? {
        switch self {
        case .new(let o): o.side
        case .cancel(let o): o.side
        case .modify(let o): o.side
        case .tick: nil
        }
    }

    public var timestamp: Int64 {
        switch self {
        case .new(let o): o.timestamp
        case .cancel(let o): o.timestamp
        case .modify(let o): o.timestamp
        case .tick(let t): t.timestamp
        }
    }
}

extension IncomingOrder: JSONRecord, JSONObjectReadable {
    static let orderFieldNames = [
        "type", "order_id", "client_order_id", "trader_id", "stock_symbol", "side", "order_type", "price",
        "quantity", "time_in_force", "validity_ttl", "timestamp",
    ]
    static let table = FieldTable(orderFieldNames)

    public static var fieldNames: [String] { orderFieldNames }

    public func encode(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        encodeFields(into: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    /// The fields without braces (shared with `SequencedOrder`).
    func encodeFields(into b: inout [UInt8]) {
        switch self {
        case .new(let o):
            b.appendLiteral("\"order_id\":")
            b.appendJSONString(o.orderId)
            if let id = o.clientOrderId {
                b.appendLiteral(",\"client_order_id\":")
                b.appendJSONString(id)
            }
            b.appendLiteral(",\"trader_id\":")
            b.appendJSONString(o.traderId)
            b.appendLiteral(",\"stock_symbol\":")
            b.appendJSONString(o.stockSymbol)
            b.appendSide(o.side)
            b.appendOrderType(o.orderType)
            if let price = o.price {
                b.appendLiteral(",\"price\":")
                b.appendDecimal(price)
            }
            b.appendLiteral(",\"quantity\":")
            b.appendInteger(o.quantity)
            b.appendTimeInForce(o.timeInForce)
            if let ttl = o.validityTTL {
                b.appendLiteral(",\"validity_ttl\":")
                b.appendInteger(ttl)
            }
        case .cancel(let o):
            b.appendLiteral("\"type\":\"CANCEL\",")
            b.appendOrderIdentity(o.orderId, traderId: o.traderId, symbol: o.stockSymbol, side: o.side)
        case .modify(let o):
            b.appendLiteral("\"type\":\"MODIFY\",")
            b.appendOrderIdentity(o.orderId, traderId: o.traderId, symbol: o.stockSymbol, side: o.side)
            if let price = o.price {
                b.appendLiteral(",\"price\":")
                b.appendDecimal(price)
            }
            if let quantity = o.quantity {
                b.appendLiteral(",\"quantity\":")
                b.appendInteger(quantity)
            }
        case .tick:
            b.appendLiteral("\"type\":\"TICK\"")
        }
        b.appendLiteral(",\"timestamp\":")
        b.appendInteger(timestamp)
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from reader: inout JSONReader) throws(RecordDecodingError) -> IncomingOrder {
        var extra = SequenceFields()
        return try read(from: &reader, table: table, extraFields: 0, extra: &extra)
    }

    /// `seq` and `source_offset` of the split topics, read by the same loop.
    struct SequenceFields {
        var seq: Int64?
        var sourceOffset: Int64?
    }

    private enum Kind { case new, cancel, modify, tick }
    private static let kindTable = FieldTable(["NEW", "CANCEL", "MODIFY", "TICK"])
    private static let kinds: [Kind] = [.new, .cancel, .modify, .tick]

    /// Reads an order object whose field table starts with `extraFields` sequence fields.
    static func read(
        from r: inout JSONReader, table: FieldTable, extraFields: Int, extra: inout SequenceFields
    ) throws(RecordDecodingError) -> IncomingOrder {
        try r.beginObject(field: nil)
        var kind = Kind.new
        var orderId: String?, clientOrderId: String?, traderId: String?, symbol: String?
        var side: Side?, orderType: OrderType?, price: FixedDecimal?, quantity: Int64?
        var timeInForce: TimeInForce?, validityTTL: Int64?, timestamp: Int64?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            if index < extraFields {
                if index == 0 {
                    extra.seq = try r.readPositive(field: "seq")
                } else {
                    extra.sourceOffset = try r.readOptionalInt64(field: "source_offset")
                    if let o = extra.sourceOffset, o < 0 { throw r.error("source_offset", "must not be negative") }
                }
                continue
            }
            switch index - extraFields {
            case 0:
                kind = kinds[try r.readChoice(kindTable, field: "type")]
            case 1: orderId = try r.readIdentifier(field: "order_id")
            case 2: clientOrderId = try r.readOptionalString(field: "client_order_id")
            case 3: traderId = try r.readIdentifier(field: "trader_id")
            case 4: symbol = try r.readSymbol(field: "stock_symbol")
            case 5: side = try r.readEnum(Side.self, field: "side")
            case 6: orderType = try r.readEnum(OrderType.self, field: "order_type")
            case 7: price = r.consumeNull() ? nil : try r.readPositiveDecimal(field: "price")
            case 8: quantity = try r.readPositive(field: "quantity")
            case 9: timeInForce = try r.readEnum(TimeInForce.self, field: "time_in_force")
            case 10: validityTTL = r.consumeNull() ? nil : try r.readPositive(field: "validity_ttl")
            default: timestamp = try r.readNonNegative(field: "timestamp")
            }
        }
        if let id = clientOrderId, id.utf8.count > 128 { throw r.error("client_order_id", "longer than 128 bytes") }
        let base = extraFields
        func present(_ i: Int) -> Bool { seen & (1 << UInt64(i + base)) != 0 }
        /// Rejects fields that exist in the table but not for this kind of record.
        func rejectFields(_ indices: [Int], kindName: String) throws(RecordDecodingError) {
            for i in indices where present(i) {
                throw r.error(orderFieldNames[i], "not allowed in a \(kindName) record")
            }
        }
        let time = try r.required(timestamp, "timestamp")
        switch kind {
        case .tick:
            try rejectFields(Array(1...10), kindName: "TICK")
            return .tick(Tick(timestamp: time))
        case .cancel:
            try rejectFields([2, 6, 7, 8, 9, 10], kindName: "CANCEL")
            return .cancel(
                CancelOrder(
                    orderId: try r.required(orderId, "order_id"), traderId: try r.required(traderId, "trader_id"),
                    stockSymbol: try r.required(symbol, "stock_symbol"), side: try r.required(side, "side"),
                    timestamp: time))
        case .modify:
            try rejectFields([2, 6, 9, 10], kindName: "MODIFY")
            if price == nil && quantity == nil {
                throw r.error("price", "a MODIFY record needs a new price or quantity (or both)")
            }
            return .modify(
                ModifyOrder(
                    orderId: try r.required(orderId, "order_id"), traderId: try r.required(traderId, "trader_id"),
                    stockSymbol: try r.required(symbol, "stock_symbol"), side: try r.required(side, "side"),
                    price: price, quantity: quantity, timestamp: time))
        case .new:
            let orderType = try r.required(orderType, "order_type")
            let timeInForce = try r.required(timeInForce, "time_in_force")
            switch orderType {
            case .limit: if price == nil { throw r.error("price", "missing required field (LIMIT orders need a price)") }
            case .market: if price != nil { throw r.error("price", "not allowed for MARKET orders") }
            }
            if timeInForce == .timeToLive {
                if validityTTL == nil { throw r.error("validity_ttl", "missing required field (TTL orders need minutes)") }
            } else if validityTTL != nil {
                throw r.error("validity_ttl", "only allowed with time_in_force TTL")
            }
            return .new(
                NewOrder(
                    orderId: try r.required(orderId, "order_id"), clientOrderId: clientOrderId,
                    traderId: try r.required(traderId, "trader_id"),
                    stockSymbol: try r.required(symbol, "stock_symbol"), side: try r.required(side, "side"),
                    orderType: orderType, price: price, quantity: try r.required(quantity, "quantity"),
                    timeInForce: timeInForce, validityTTL: validityTTL, timestamp: time))
        }
    }
}

extension Array where Element == UInt8 {
    /// `"order_id":…,"trader_id":…,"stock_symbol":…,"side":…` of cancels and modifies.
    mutating func appendOrderIdentity(_ orderId: String, traderId: String, symbol: String, side: Side) {
        appendLiteral("\"order_id\":")
        appendJSONString(orderId)
        appendLiteral(",\"trader_id\":")
        appendJSONString(traderId)
        appendLiteral(",\"stock_symbol\":")
        appendJSONString(symbol)
        appendSide(side)
    }

    @inline(__always)
    mutating func appendSide(_ side: Side) {
        appendLiteral(side == .buy ? ",\"side\":\"BUY\"" : ",\"side\":\"SELL\"")
    }

    @inline(__always)
    mutating func appendOrderType(_ type: OrderType) {
        appendLiteral(type == .limit ? ",\"order_type\":\"LIMIT\"" : ",\"order_type\":\"MARKET\"")
    }

    @inline(__always)
    mutating func appendTimeInForce(_ timeInForce: TimeInForce) {
        appendLiteral(",\"time_in_force\":\"")
        append(contentsOf: timeInForce.rawValue.utf8)
        append(UInt8(ascii: "\""))
    }
}
