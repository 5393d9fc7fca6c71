import ExchangeRecords

/// One `execution_reports` record, as the read model needs it.
public struct ExecutionEvent: Sendable, Equatable {
    public var orderId: String
    public var traderId: String
    public var symbol: String
    public var side: String
    /// NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, REJECTED, REPLACED.
    public var status: String
    public var reason: String?
    public var priceMicros: Int64?
    public var quantity: Int64
    public var filledQuantity: Int64
    public var leavesQuantity: Int64
    public var lastPriceMicros: Int64?
    public var lastQuantity: Int64?
    public var lastTradeId: String?
    /// The order's terms: on its first reports only (those of its placement), nil on later ones.
    public var orderType: String?
    public var timeInForce: String?
    public var validityTTL: Int64?
    public var expireAt: Int64?
    public var clientOrderId: String?
    /// When the order was placed (its `incoming_orders` timestamp).
    public var orderTimestamp: Int64?
    /// The Kafka partition the record came from and its per-partition `seq` (for dedupe).
    public var partition: Int32
    public var seq: Int64
    public var timestamp: Int64

    public init(
        orderId: String, traderId: String, symbol: String, side: String, status: String, reason: String? = nil,
        priceMicros: Int64?, quantity: Int64, filledQuantity: Int64, leavesQuantity: Int64,
        lastPriceMicros: Int64? = nil, lastQuantity: Int64? = nil, lastTradeId: String? = nil,
        orderType: String? = nil, timeInForce: String? = nil, validityTTL: Int64? = nil, expireAt: Int64? = nil,
        clientOrderId: String? = nil, orderTimestamp: Int64? = nil, partition: Int32 = 0, seq: Int64, timestamp: Int64
    ) {
        self.orderId = orderId
        self.traderId = traderId
        self.symbol = symbol
        self.side = side
        self.status = status
        self.reason = reason
        self.priceMicros = priceMicros
        self.quantity = quantity
        self.filledQuantity = filledQuantity
        self.leavesQuantity = leavesQuantity
        self.lastPriceMicros = lastPriceMicros
        self.lastQuantity = lastQuantity
        self.lastTradeId = lastTradeId
        self.orderType = orderType
        self.timeInForce = timeInForce
        self.validityTTL = validityTTL
        self.expireAt = expireAt
        self.clientOrderId = clientOrderId
        self.orderTimestamp = orderTimestamp
        self.partition = partition
        self.seq = seq
        self.timestamp = timestamp
    }
}

/// One `matched_trades` record.
public struct TradeEvent: Sendable, Equatable {
    public var tradeId: String
    public var symbol: String
    public var priceMicros: Int64
    public var quantity: Int64
    public var buyOrderId: String
    public var sellOrderId: String
    public var buyTraderId: String
    public var sellTraderId: String
    public var aggressorSide: String
    public var tradeTime: Int64
    public var partition: Int32
    public var seq: Int64

    public init(
        tradeId: String, symbol: String, priceMicros: Int64, quantity: Int64, buyOrderId: String, sellOrderId: String,
        buyTraderId: String, sellTraderId: String, aggressorSide: String, tradeTime: Int64, partition: Int32 = 0, seq: Int64
    ) {
        self.tradeId = tradeId
        self.symbol = symbol
        self.priceMicros = priceMicros
        self.quantity = quantity
        self.buyOrderId = buyOrderId
        self.sellOrderId = sellOrderId
        self.buyTraderId = buyTraderId
        self.sellTraderId = sellTraderId
        self.aggressorSide = aggressorSide
        self.tradeTime = tradeTime
        self.partition = partition
        self.seq = seq
    }
}

/// One analytics record (`SMA_HOPPING_TABLE`, `stock_profit`, `top_profit`), served as written.
///
/// The gateway computes nothing here: it keeps the newest window per symbol and passes the
/// producer's JSON through, so its numbers are exactly the stage's.
public struct AnalyticsEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case sma, profit, topProfit = "top_profit"
    }

    public var kind: Kind
    /// nil for `top_profit`.
    public var symbol: String?
    public var windowStart: Int64
    public var record: JSONValue

    public init(kind: Kind, symbol: String?, windowStart: Int64, record: JSONValue) {
        self.kind = kind
        self.symbol = symbol
        self.windowStart = windowStart
        self.record = record
    }

    /// Reads the window start and symbol from a record's upper-case ksqlDB field names.
    public init?(kind: Kind, record: JSONValue) {
        guard case .number(let ws)? = record["WINDOW_START"], let windowStart = Int64(ws) else { return nil }
        var symbol: String?
        if kind != .topProfit {
            guard case .string(let s)? = record["STOCK_SYMBOL"] else { return nil }
            symbol = s
        }
        self.init(kind: kind, symbol: symbol, windowStart: windowStart, record: record)
    }
}
