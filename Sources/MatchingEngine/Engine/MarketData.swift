/// One aggregated price level.
public struct BookLevel: Hashable, Sendable {
    public var price: Price
    public var quantity: Int64
    public var orders: Int
    public init(price: Price, quantity: Int64, orders: Int) {
        self.price = price
        self.quantity = quantity
        self.orders = orders
    }
}

/// Top of book.
public struct BestBidOffer: Hashable, Sendable {
    public var bid: BookLevel?
    public var ask: BookLevel?
    public init(bid: BookLevel?, ask: BookLevel?) {
        self.bid = bid
        self.ask = ask
    }
}

/// L2: the top N aggregated levels per side, best first.
public struct Depth: Hashable, Sendable {
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public init(bids: [BookLevel], asks: [BookLevel]) {
        self.bids = bids
        self.asks = asks
    }
}

/// A live order as the book holds it.
public struct RestingOrder: Hashable, Sendable {
    public var order: OrderHandle
    public var trader: TraderHandle
    public var symbol: SymbolHandle
    public var side: Side
    public var timeInForce: TimeInForce
    public var price: Price
    public var quantity: Int64
    public var filledQuantity: Int64
    public var leavesQuantity: Int64 { quantity - filledQuantity }
    /// When a DAY/TTL order expires (epoch ms), nil for GTC.
    public var expiresAt: Int64?

    public init(
        order: OrderHandle, trader: TraderHandle, symbol: SymbolHandle, side: Side, timeInForce: TimeInForce,
        price: Price, quantity: Int64, filledQuantity: Int64, expiresAt: Int64?
    ) {
        self.order = order
        self.trader = trader
        self.symbol = symbol
        self.side = side
        self.timeInForce = timeInForce
        self.price = price
        self.quantity = quantity
        self.filledQuantity = filledQuantity
        self.expiresAt = expiresAt
    }
}

/// L3: every resting order in priority order (best price first, FIFO within a price).
public struct BookSnapshot: Hashable, Sendable {
    public var symbol: SymbolHandle
    public var bids: [RestingOrder]
    public var asks: [RestingOrder]
    public init(symbol: SymbolHandle, bids: [RestingOrder], asks: [RestingOrder]) {
        self.symbol = symbol
        self.bids = bids
        self.asks = asks
    }
}

/// The most recent trade of an instrument.
public struct LastTrade: Hashable, Sendable {
    public var price: Price
    public var quantity: Int64
    public var time: Int64
    public var tradeNumber: UInt64
    public init(price: Price, quantity: Int64, time: Int64, tradeNumber: UInt64) {
        self.price = price
        self.quantity = quantity
        self.time = time
        self.tradeNumber = tradeNumber
    }
}
