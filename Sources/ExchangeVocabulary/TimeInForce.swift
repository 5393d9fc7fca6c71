/// How long an order stays on the book (Kite Connect's `validity`; `TTL` with `validity_ttl` minutes; `GTD` with
/// `expire_at`, the instant it expires, epoch ms).
public enum TimeInForce: String, Sendable, Hashable, CaseIterable {
    case goodTillCanceled = "GTC"
    case day = "DAY"
    case immediateOrCancel = "IOC"
    case fillOrKill = "FOK"
    case timeToLive = "TTL"
    case goodTillDate = "GTD"
}
