// The engine speaks the vocabulary's enums (one byte each, as its own were); callers get them with it.
@_exported import ExchangeVocabulary

/// A dense integer standing for an order id string. The engine interns every id it is given
/// (`MatchingEngine.orderHandle(_:)`), so the hot path compares integers, never strings.
public struct OrderHandle: Hashable, Sendable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
}

/// A dense integer standing for a trader id string (ownership and self-trade checks compare these).
public struct TraderHandle: Hashable, Sendable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// An order without a trader (a producer that sends no `trader_id`): it trades with anyone, self-trade
    /// prevention never treats two of them as one owner, and nobody may cancel or modify it.
    public static let unattributed = TraderHandle(rawValue: UInt32.max)
}

/// A dense integer standing for a symbol string; known instruments get the first handles.
public struct SymbolHandle: Hashable, Sendable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
}

/// A new order. `price` is required for LIMIT and must be absent for MARKET.
public struct NewOrder: Hashable, Sendable {
    public var order: OrderHandle
    public var trader: TraderHandle
    public var symbol: SymbolHandle
    public var side: Side
    public var type: OrderType
    public var price: Price?
    public var quantity: Int64
    public var timeInForce: TimeInForce
    /// Minutes, required (positive) for `.timeToLive`, ignored otherwise.
    public var validityTTLMinutes: Int64?
    /// The instant (epoch ms) a `.goodTillDate` order expires; required for it and after `timestamp`, ignored otherwise.
    public var expireAt: Int64?
    /// Event time, epoch ms.
    public var timestamp: Int64

    @inlinable
    public init(
        order: OrderHandle, trader: TraderHandle, symbol: SymbolHandle, side: Side, type: OrderType = .limit,
        price: Price?, quantity: Int64, timeInForce: TimeInForce = .goodTillCanceled, validityTTLMinutes: Int64? = nil,
        expireAt: Int64? = nil, timestamp: Int64
    ) {
        self.expireAt = expireAt
        self.order = order
        self.trader = trader
        self.symbol = symbol
        self.side = side
        self.type = type
        self.price = price
        self.quantity = quantity
        self.timeInForce = timeInForce
        self.validityTTLMinutes = validityTTLMinutes
        self.timestamp = timestamp
    }
}

/// Cancels a resting order; only its owner may. `side`, when given, must match the order's.
public struct CancelOrder: Hashable, Sendable {
    public var order: OrderHandle
    public var trader: TraderHandle
    public var symbol: SymbolHandle
    public var side: Side?
    public var timestamp: Int64

    @inlinable
    public init(order: OrderHandle, trader: TraderHandle, symbol: SymbolHandle, side: Side? = nil, timestamp: Int64) {
        self.order = order
        self.trader = trader
        self.symbol = symbol
        self.side = side
        self.timestamp = timestamp
    }
}

/// Changes a resting order's price and/or total quantity (the new total, including what has filled).
/// A quantity decrease at the same price keeps time priority; a price change or quantity increase loses it.
public struct ModifyOrder: Hashable, Sendable {
    public var order: OrderHandle
    public var trader: TraderHandle
    public var symbol: SymbolHandle
    public var side: Side?
    public var price: Price?
    public var quantity: Int64?
    public var timestamp: Int64

    @inlinable
    public init(
        order: OrderHandle, trader: TraderHandle, symbol: SymbolHandle, side: Side? = nil, price: Price? = nil,
        quantity: Int64? = nil, timestamp: Int64
    ) {
        self.order = order
        self.trader = trader
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.timestamp = timestamp
    }
}

/// One input to the engine. `tick` only advances event time (and so expires DAY/TTL orders). Instrument changes go
/// through `Engine.process(_: InstrumentControl, into:)` instead: a case here would make every command a non-trivial
/// value (strings in the payload) and cost the order path a copy through value witnesses per command.
public enum Command: Hashable, Sendable {
    case new(NewOrder)
    case cancel(CancelOrder)
    case modify(ModifyOrder)
    case tick(timestamp: Int64)

    public var timestamp: Int64 {
        switch self {
        case .new(let c): c.timestamp
        case .cancel(let c): c.timestamp
        case .modify(let c): c.timestamp
        case .tick(let t): t
        }
    }
}
