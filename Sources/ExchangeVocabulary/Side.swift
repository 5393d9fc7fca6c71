/// Buy or sell; the raw value is the wire string (`side`, `AGGRESSOR_SIDE`, the gateway's `side`).
public enum Side: String, Sendable, Hashable, CaseIterable {
    case buy = "BUY"
    case sell = "SELL"

    @inlinable public var opposite: Side { self == .buy ? .sell : .buy }
}
