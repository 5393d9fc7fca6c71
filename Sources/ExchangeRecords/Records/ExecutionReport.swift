/// A value of `execution_reports` (key: symbol): one step in an order's life.
///
/// `quantity = filled_quantity + leaves_quantity` until the order is done. `last_price`, `last_quantity` and
/// `trade_id` describe the fill that produced this report (absent when the report is not a fill).
///
/// `trader_id` is absent for an unattributed order (see `NewOrder.traderId`).
///
/// `client_order_id`, `order_type`, `time_in_force`, `validity_ttl`, `expire_at` and `order_timestamp` are the order's terms, so a
/// reader that never saw the order placed (another gateway, or one replaying the topic) shows the same order as
/// the gateway that placed it. They are optional: only the reports written while the order's own new-order record is
/// applied carry them (its first report among them), and records written before they existed have none.
public struct ExecutionReport: Sendable, Hashable {
    public var orderId: String
    public var clientOrderId: String?
    public var traderId: String?
    public var symbol: String
    public var side: Side
    public var orderType: OrderType?
    public var timeInForce: TimeInForce?
    /// Minutes, for TTL orders.
    public var validityTTL: Int64?
    /// Epoch milliseconds, for GTD orders.
    public var expireAt: Int64?
    public var status: OrderStatus
    /// Why an order was rejected or expired (or other free text); absent otherwise.
    public var reason: String?
    /// The order's limit price; nil for MARKET orders.
    public var price: FixedDecimal?
    public var quantity: Int64
    public var filledQuantity: Int64
    public var leavesQuantity: Int64
    /// Price of this report's fill.
    public var lastPrice: FixedDecimal?
    /// Quantity of this report's fill.
    public var lastQuantity: Int64?
    /// `TRADE_ID` of this report's fill in `matched_trades`.
    public var tradeId: String?
    /// Dense per-partition sequence of the matcher's outputs.
    public var seq: Int64
    /// When the order was placed: its `incoming_orders` timestamp, epoch milliseconds.
    public var orderTimestamp: Int64?
    /// Epoch milliseconds (event time).
    public var timestamp: Int64

    public init(
        orderId: String, clientOrderId: String? = nil, traderId: String?, symbol: String, side: Side,
        orderType: OrderType? = nil, timeInForce: TimeInForce? = nil, validityTTL: Int64? = nil, expireAt: Int64? = nil,
        status: OrderStatus, reason: String? = nil, price: FixedDecimal?, quantity: Int64, filledQuantity: Int64,
        leavesQuantity: Int64, lastPrice: FixedDecimal? = nil, lastQuantity: Int64? = nil, tradeId: String? = nil,
        seq: Int64, orderTimestamp: Int64? = nil, timestamp: Int64
    ) {
        self.orderId = orderId
        self.clientOrderId = clientOrderId
        self.traderId = traderId
        self.symbol = symbol
        self.side = side
        self.orderType = orderType
        self.timeInForce = timeInForce
        self.validityTTL = validityTTL
        self.expireAt = expireAt
        self.status = status
        self.reason = reason
        self.price = price
        self.quantity = quantity
        self.filledQuantity = filledQuantity
        self.leavesQuantity = leavesQuantity
        self.lastPrice = lastPrice
        self.lastQuantity = lastQuantity
        self.tradeId = tradeId
        self.seq = seq
        self.orderTimestamp = orderTimestamp
        self.timestamp = timestamp
    }
}

extension ExecutionReport: JSONRecord, JSONObjectReadable {
    static let table = FieldTable([
        "order_id", "client_order_id", "trader_id", "symbol", "side", "order_type", "time_in_force", "validity_ttl",
        "status", "reason", "price", "quantity", "filled_quantity", "leaves_quantity", "last_price", "last_quantity",
        "trade_id", "seq", "order_timestamp", "timestamp", "expire_at",
    ])

    public static var fieldNames: [String] { table.names }

    public func encode(into b: inout [UInt8]) {
        b.appendLiteral("{\"order_id\":")
        b.appendJSONString(orderId)
        if let clientOrderId {
            b.appendLiteral(",\"client_order_id\":")
            b.appendJSONString(clientOrderId)
        }
        if let traderId {
            b.appendLiteral(",\"trader_id\":")
            b.appendJSONString(traderId)
        }
        b.appendLiteral(",\"symbol\":")
        b.appendJSONString(symbol)
        b.appendSide(side)
        if let orderType { b.appendOrderType(orderType) }
        if let timeInForce { b.appendTimeInForce(timeInForce) }
        if let validityTTL {
            b.appendLiteral(",\"validity_ttl\":")
            b.appendInteger(validityTTL)
        }
        b.appendLiteral(",\"status\":\"")
        b.append(contentsOf: status.rawValue.utf8)
        b.append(UInt8(ascii: "\""))
        if let reason {
            b.appendLiteral(",\"reason\":")
            b.appendJSONString(reason)
        }
        if let price {
            b.appendLiteral(",\"price\":")
            b.appendDecimal(price)
        }
        b.appendLiteral(",\"quantity\":")
        b.appendInteger(quantity)
        b.appendLiteral(",\"filled_quantity\":")
        b.appendInteger(filledQuantity)
        b.appendLiteral(",\"leaves_quantity\":")
        b.appendInteger(leavesQuantity)
        if let lastPrice {
            b.appendLiteral(",\"last_price\":")
            b.appendDecimal(lastPrice)
        }
        if let lastQuantity {
            b.appendLiteral(",\"last_quantity\":")
            b.appendInteger(lastQuantity)
        }
        if let tradeId {
            b.appendLiteral(",\"trade_id\":")
            b.appendJSONString(tradeId)
        }
        b.appendLiteral(",\"seq\":")
        b.appendInteger(seq)
        if let orderTimestamp {
            b.appendLiteral(",\"order_timestamp\":")
            b.appendInteger(orderTimestamp)
        }
        b.appendLiteral(",\"timestamp\":")
        b.appendInteger(timestamp)
        if let expireAt {
            b.appendLiteral(",\"expire_at\":")
            b.appendInteger(expireAt)
        }
        b.append(UInt8(ascii: "}"))
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from r: inout JSONReader) throws(RecordDecodingError) -> ExecutionReport {
        try r.beginObject(field: nil)
        var orderId: String?, clientOrderId: String?, traderId: String?, symbol: String?, side: Side?
        var orderType: OrderType?, timeInForce: TimeInForce?, validityTTL: Int64?
        var status: OrderStatus?, reason: String?, price: FixedDecimal?, quantity: Int64?, filled: Int64?
        var leaves: Int64?, lastPrice: FixedDecimal?, lastQuantity: Int64?, tradeId: String?, seq: Int64?
        var orderTimestamp: Int64?, timestamp: Int64?, expireAt: Int64?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            switch index {
            case 0: orderId = try r.readIdentifier(field: "order_id")
            case 1: clientOrderId = try r.readOptionalString(field: "client_order_id")
            case 2: traderId = try r.readIdentifier(field: "trader_id")
            case 3: symbol = try r.readSymbol(field: "symbol")
            case 4: side = try r.readEnum(Side.self, field: "side")
            case 5: orderType = r.consumeNull() ? nil : try r.readEnum(OrderType.self, field: "order_type")
            case 6: timeInForce = r.consumeNull() ? nil : try r.readEnum(TimeInForce.self, field: "time_in_force")
            case 7: validityTTL = r.consumeNull() ? nil : try r.readPositive(field: "validity_ttl")
            case 8: status = try r.readEnum(OrderStatus.self, field: "status")
            case 9: reason = try r.readOptionalString(field: "reason")
            case 10: price = try r.readOptionalDecimal(field: "price")
            case 11: quantity = try r.readNonNegative(field: "quantity")
            case 12: filled = try r.readNonNegative(field: "filled_quantity")
            case 13: leaves = try r.readNonNegative(field: "leaves_quantity")
            case 14: lastPrice = try r.readOptionalDecimal(field: "last_price")
            case 15: lastQuantity = try r.readOptionalInt64(field: "last_quantity")
            case 16: tradeId = try r.readOptionalString(field: "trade_id")
            case 17: seq = try r.readPositive(field: "seq")
            case 18: orderTimestamp = r.consumeNull() ? nil : try r.readNonNegative(field: "order_timestamp")
            case 19: timestamp = try r.readNonNegative(field: "timestamp")
            default: expireAt = r.consumeNull() ? nil : try r.readNonNegative(field: "expire_at")
            }
        }
        return ExecutionReport(
            orderId: try r.required(orderId, "order_id"), clientOrderId: clientOrderId,
            traderId: traderId, symbol: try r.required(symbol, "symbol"),
            side: try r.required(side, "side"), orderType: orderType, timeInForce: timeInForce, validityTTL: validityTTL,
            expireAt: expireAt,
            status: try r.required(status, "status"), reason: reason,
            price: price, quantity: try r.required(quantity, "quantity"),
            filledQuantity: try r.required(filled, "filled_quantity"),
            leavesQuantity: try r.required(leaves, "leaves_quantity"), lastPrice: lastPrice,
            lastQuantity: lastQuantity, tradeId: tradeId, seq: try r.required(seq, "seq"), orderTimestamp: orderTimestamp,
            timestamp: try r.required(timestamp, "timestamp"))
    }
}
