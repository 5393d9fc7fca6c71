import ExchangeRecords

/// Pre-trade limits per trader, checked by the gateway before an order reaches Kafka (nil: no limit).
///
/// `maxOrderNotionalMicros` is a property of the order alone, so it is exact. The other two are checked against the
/// gateway's read model: the orders this gateway accepted count at once (PENDING), orders placed through other
/// gateways once their reports arrive, and a fill, cancel or expiry frees room once its report arrives. So with one
/// gateway they hold exactly, up to orders of one trader racing each other within a request's time; with several, a
/// trader may briefly exceed them by what the other gateways accepted meanwhile (docs/gateway-api.md).
public struct PreTradeLimits: Sendable, Hashable {
    /// Open orders per trader (accepted and not yet finished), all symbols together.
    public var maxOpenOrders: Int?
    /// price × quantity of one order, micro-units; a MARKET order counts at its instrument's upper price band.
    public var maxOrderNotionalMicros: Int64?
    /// The open quantity × limit price of a trader's orders in one symbol, this order included, micro-units.
    public var maxOpenNotionalMicros: Int64?

    public init(maxOpenOrders: Int? = nil, maxOrderNotionalMicros: Int64? = nil, maxOpenNotionalMicros: Int64? = nil) {
        self.maxOpenOrders = maxOpenOrders
        self.maxOrderNotionalMicros = maxOrderNotionalMicros
        self.maxOpenNotionalMicros = maxOpenNotionalMicros
    }

    public var isEmpty: Bool { self == PreTradeLimits() }

    /// Which limit the order would breach, given what its trader has open, or nil.
    public func refusal(_ placement: OrderRequestParser.Placement, instrument: InstrumentRules, exposure: ReadModel.Exposure) -> Reason? {
        if let most = maxOpenOrders, exposure.openOrders >= most { return .maxOpenOrders }
        let price = placement.priceMicros ?? instrument.upperBandMicros
        let notional = ReadModel.notional(priceMicros: price, quantity: placement.quantity)
        if let most = maxOrderNotionalMicros, notional > most { return .maxOrderNotional }
        if let most = maxOpenNotionalMicros {
            // A MARKET order never rests: it adds no open notional.
            let added = placement.priceMicros == nil ? 0 : notional
            if (exposure.openNotionalMicros[placement.symbol] ?? 0).addingSaturated(added) > most { return .maxOpenNotional }
        }
        return nil
    }
}
