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
