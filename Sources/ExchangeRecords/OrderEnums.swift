/// Buy or sell, as `side` / `AGGRESSOR_SIDE` carry it.
public enum Side: String, Sendable, Hashable, CaseIterable {
    case buy = "BUY"
    case sell = "SELL"
}

/// `LIMIT` orders carry a price; `MARKET` orders carry none and never rest.
public enum OrderType: String, Sendable, Hashable, CaseIterable {
    case limit = "LIMIT"
    case market = "MARKET"
}

/// How long an order stays on the book (`TTL` with `validity_ttl` minutes, as in Kite Connect).
public enum TimeInForce: String, Sendable, Hashable, CaseIterable {
    case goodTillCanceled = "GTC"
    case day = "DAY"
    case immediateOrCancel = "IOC"
    case fillOrKill = "FOK"
    case timeToLive = "TTL"
}

/// An order's state in an execution report.
public enum OrderStatus: String, Sendable, Hashable, CaseIterable {
    case new = "NEW"
    case partiallyFilled = "PARTIALLY_FILLED"
    case filled = "FILLED"
    case canceled = "CANCELED"
    case expired = "EXPIRED"
    case rejected = "REJECTED"
    case replaced = "REPLACED"
}

/// An enum whose raw values are its wire strings, decoded by matching bytes (no String, no allocation).
protocol WireEnum: RawRepresentable<String>, CaseIterable {
    static var wireTable: FieldTable { get }
    static var wireCases: [Self] { get }
}

private let sideTable = FieldTable(Side.allCases.map(\.rawValue))
private let sideCases = Array(Side.allCases)
private let orderTypeTable = FieldTable(OrderType.allCases.map(\.rawValue))
private let orderTypeCases = Array(OrderType.allCases)
private let timeInForceTable = FieldTable(TimeInForce.allCases.map(\.rawValue))
private let timeInForceCases = Array(TimeInForce.allCases)
private let statusTable = FieldTable(OrderStatus.allCases.map(\.rawValue))
private let statusCases = Array(OrderStatus.allCases)

extension Side: WireEnum {
    static var wireTable: FieldTable { sideTable }
    static var wireCases: [Side] { sideCases }
}

extension OrderType: WireEnum {
    static var wireTable: FieldTable { orderTypeTable }
    static var wireCases: [OrderType] { orderTypeCases }
}

extension TimeInForce: WireEnum {
    static var wireTable: FieldTable { timeInForceTable }
    static var wireCases: [TimeInForce] { timeInForceCases }
}

extension OrderStatus: WireEnum {
    static var wireTable: FieldTable { statusTable }
    static var wireCases: [OrderStatus] { statusCases }
}
