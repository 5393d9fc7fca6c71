/// One trader's fills in one symbol, summed: what was bought and sold, and for how much (micro-units). Kept per
/// trader beside the capped fill list, so positions and P&L stay right however many fills there were.
public struct PositionTally: Sendable, Hashable {
    public var buyQuantity: Int64 = 0
    public var buyValueMicros: Int64 = 0
    public var sellQuantity: Int64 = 0
    public var sellValueMicros: Int64 = 0

    public init() {}

    public mutating func add(isBuy: Bool, priceMicros: Int64, quantity: Int64) {
        let value = ReadModel.notional(priceMicros: priceMicros, quantity: quantity)
        if isBuy {
            buyQuantity = buyQuantity.addingSaturated(quantity)
            buyValueMicros = buyValueMicros.addingSaturated(value)
        } else {
            sellQuantity = sellQuantity.addingSaturated(quantity)
            sellValueMicros = sellValueMicros.addingSaturated(value)
        }
    }

    /// Bought minus sold.
    public var netQuantity: Int64 { buyQuantity - sellQuantity }
}
