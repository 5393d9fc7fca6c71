import ExchangeVocabulary

/// What produced an execution report; lets readers tell a rejected cancel/modify request
/// (the order itself unchanged) from a rejected new order.
public enum ReportCause: UInt8, Hashable, Sendable {
    case newOrder = 0
    case cancel = 1
    case modify = 2
    case match = 3
    case expiry = 4
    /// An instrument change (a delisting cancels the resting orders).
    case instrumentChange = 5
}

/// One state change of one order. Invariant: `quantity == filledQuantity + leavesQuantity` while the
/// order is live (NEW, PARTIALLY_FILLED, REPLACED); when it is done, `leavesQuantity` is 0.
/// A REJECTED report with cause `.cancel`/`.modify` leaves the order as it was and carries its current figures.
public struct ExecutionReport: Hashable, Sendable {
    public var order: OrderHandle
    public var trader: TraderHandle
    public var symbol: SymbolHandle
    public var side: Side
    public var type: OrderType
    public var timeInForce: TimeInForce
    public var status: OrderStatus
    public var cause: ReportCause
    public var reason: Reason?
    /// The order's limit price (nil for MARKET).
    public var price: Price?
    public var quantity: Int64
    public var filledQuantity: Int64
    public var leavesQuantity: Int64
    /// Last fill, for PARTIALLY_FILLED/FILLED reports.
    public var lastPrice: Price?
    public var lastQuantity: Int64
    public var lastTradeNumber: UInt64?
    /// Engine event time of the change, epoch ms.
    public var timestamp: Int64

    public init(
        order: OrderHandle, trader: TraderHandle, symbol: SymbolHandle, side: Side, type: OrderType,
        timeInForce: TimeInForce, status: OrderStatus, cause: ReportCause, reason: Reason?, price: Price?,
        quantity: Int64, filledQuantity: Int64, leavesQuantity: Int64, lastPrice: Price?, lastQuantity: Int64,
        lastTradeNumber: UInt64?, timestamp: Int64
    ) {
        self.order = order
        self.trader = trader
        self.symbol = symbol
        self.side = side
        self.type = type
        self.timeInForce = timeInForce
        self.status = status
        self.cause = cause
        self.reason = reason
        self.price = price
        self.quantity = quantity
        self.filledQuantity = filledQuantity
        self.leavesQuantity = leavesQuantity
        self.lastPrice = lastPrice
        self.lastQuantity = lastQuantity
        self.lastTradeNumber = lastTradeNumber
        self.timestamp = timestamp
    }
}

/// One execution between an aggressor and a resting order, at the resting order's price.
/// `tradeNumber` increases by one per trade per engine (1, 2, 3, …), so a stage can derive a
/// deterministic trade identity from (engine/partition, tradeNumber).
public struct Trade: Hashable, Sendable {
    public var tradeNumber: UInt64
    public var symbol: SymbolHandle
    public var buyOrder: OrderHandle
    public var sellOrder: OrderHandle
    public var buyTrader: TraderHandle
    public var sellTrader: TraderHandle
    /// Execution price: the resting order's limit.
    public var price: Price
    /// Limit prices of the two orders (nil for a MARKET order).
    public var buyPrice: Price?
    public var sellPrice: Price?
    public var quantity: Int64
    public var aggressor: Side
    /// Event time, epoch ms.
    public var time: Int64

    public init(
        tradeNumber: UInt64, symbol: SymbolHandle, buyOrder: OrderHandle, sellOrder: OrderHandle,
        buyTrader: TraderHandle, sellTrader: TraderHandle, price: Price, buyPrice: Price?, sellPrice: Price?,
        quantity: Int64, aggressor: Side, time: Int64
    ) {
        self.tradeNumber = tradeNumber
        self.symbol = symbol
        self.buyOrder = buyOrder
        self.sellOrder = sellOrder
        self.buyTrader = buyTrader
        self.sellTrader = sellTrader
        self.price = price
        self.buyPrice = buyPrice
        self.sellPrice = sellPrice
        self.quantity = quantity
        self.aggressor = aggressor
        self.time = time
    }
}

/// Engine output, in emission order. Per fill the order is: trade, aggressor's report, resting order's report.
public enum EngineEvent: Hashable, Sendable {
    case report(ExecutionReport)
    case trade(Trade)
}

/// Where `Engine.process(_:into:)` puts events as it makes them. An array collects them; a caller that turns each
/// event straight into its own output (the challenge adapter's reports) implements this instead, so events are never
/// stored and read back.
public protocol EngineEventSink {
    mutating func append(_ event: EngineEvent)
}

extension Array: EngineEventSink where Element == EngineEvent {}
