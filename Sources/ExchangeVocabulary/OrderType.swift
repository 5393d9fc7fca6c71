/// `LIMIT` orders carry a price; `MARKET` orders carry none and never rest.
public enum OrderType: String, Sendable, Hashable, CaseIterable {
    case limit = "LIMIT"
    case market = "MARKET"
}
