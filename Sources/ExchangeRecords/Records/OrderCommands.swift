/// A new order as the gateway writes it to `incoming_orders` (no `type` field; `"type":"NEW"` is also accepted).
public struct NewOrder: Sendable, Hashable {
    public var orderId: String
    /// The trader's own reference, echoed in execution reports (optional).
    public var clientOrderId: String?
    /// nil for an unattributed order (a producer that names no trader): it trades with anyone, and no trader may
    /// cancel or modify it.
    public var traderId: String?
    public var stockSymbol: String
    public var side: Side
    public var orderType: OrderType
    /// Limit price; required for `LIMIT`, absent for `MARKET`.
    public var price: FixedDecimal?
    public var quantity: Int64
    public var timeInForce: TimeInForce
    /// Minutes the order lives; required for `TTL`, absent otherwise.
    public var validityTTL: Int64?
    /// The instant the order expires, epoch milliseconds; required for `GTD`, absent otherwise.
    public var expireAt: Int64?
    /// Epoch milliseconds, set by the gateway (or, for a producer that sends none, the Kafka record's timestamp).
    public var timestamp: Int64

    public init(
        orderId: String, clientOrderId: String? = nil, traderId: String?, stockSymbol: String, side: Side,
        orderType: OrderType, price: FixedDecimal?, quantity: Int64, timeInForce: TimeInForce,
        validityTTL: Int64? = nil, expireAt: Int64? = nil, timestamp: Int64
    ) {
        self.expireAt = expireAt
        self.orderId = orderId
        self.clientOrderId = clientOrderId
        self.traderId = traderId
        self.stockSymbol = stockSymbol
        self.side = side
        self.orderType = orderType
        self.price = price
        self.quantity = quantity
        self.timeInForce = timeInForce
        self.validityTTL = validityTTL
        self.timestamp = timestamp
    }
}

/// `"type":"CANCEL"`: cancel the rest of an order (only its owner may).
public struct CancelOrder: Sendable, Hashable {
    public var orderId: String
    public var traderId: String
    public var stockSymbol: String
    public var side: Side
    public var timestamp: Int64

    public init(orderId: String, traderId: String, stockSymbol: String, side: Side, timestamp: Int64) {
        self.orderId = orderId
        self.traderId = traderId
        self.stockSymbol = stockSymbol
        self.side = side
        self.timestamp = timestamp
    }
}

/// `"type":"MODIFY"`: a new price and/or quantity for a resting order (at least one of them).
public struct ModifyOrder: Sendable, Hashable {
    public var orderId: String
    public var traderId: String
    public var stockSymbol: String
    public var side: Side
    public var price: FixedDecimal?
    public var quantity: Int64?
    public var timestamp: Int64

    public init(
        orderId: String, traderId: String, stockSymbol: String, side: Side, price: FixedDecimal? = nil,
        quantity: Int64? = nil, timestamp: Int64
    ) {
        self.orderId = orderId
        self.traderId = traderId
        self.stockSymbol = stockSymbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.timestamp = timestamp
    }
}

/// `"type":"TICK"`: written by the clock into idle partitions; advances event time only.
public struct Tick: Sendable, Hashable {
    public var timestamp: Int64

    public init(timestamp: Int64) {
        self.timestamp = timestamp
    }
}

/// `"type":"INSTRUMENT"`: a change of one instrument — a listing, a new definition, a halt, a resume or a delisting —
/// written to the symbol's partition of `incoming_orders`, so it is sequenced with that symbol's orders and the matcher
/// applies it at exactly that point (replays and restarts too). `exchange instruments` writes it, and the instrument's
/// new value to the `instruments` topic.
public struct InstrumentChange: Sendable, Hashable {
    public var action: InstrumentAction
    public var stockSymbol: String
    /// The definition, required for `LIST` and `SET` (for the same symbol) and refused on the others.
    public var instrument: Instrument?
    /// Why (free text, at most 256 bytes), e.g. of a halt.
    public var reason: String?
    public var timestamp: Int64

    public init(action: InstrumentAction, stockSymbol: String, instrument: Instrument? = nil, reason: String? = nil, timestamp: Int64) {
        self.action = action
        self.stockSymbol = stockSymbol
        self.instrument = instrument
        self.reason = reason
        self.timestamp = timestamp
    }
}
