/// A tradable instrument: the grid its prices and quantities live on, and an optional static price band.
///
/// The band is a circuit limit around the reference price (Kite Connect's `lower_circuit_limit` /
/// `upper_circuit_limit`); limit prices outside it are rejected. The engine sizes its array of price
/// levels from the band, so banded instruments never pay for growth.
public struct Instrument: Hashable, Sendable {
    public var symbol: String
    public var name: String
    public var exchange: String
    /// Price grid step, in micros (0.01 → 10_000). Must be positive.
    public var tickSize: Price
    /// Quantity grid step in shares. Must be positive.
    public var lotSize: Int64
    /// Reference (last) price, used for the band and published on the `instruments` topic.
    public var referencePrice: Price
    /// Inclusive lower and upper limit prices; nil means no band.
    public var priceBand: PriceBand?
    /// The largest quantity one order may carry; nil: `maximumOrderQuantity`.
    public var maxOrderQuantity: Int64?

    public init(
        symbol: String, name: String = "", exchange: String = "", tickSize: Price, lotSize: Int64 = 1,
        referencePrice: Price, priceBand: PriceBand? = nil, maxOrderQuantity: Int64? = nil
    ) {
        self.maxOrderQuantity = maxOrderQuantity
        self.symbol = symbol
        self.name = name
        self.exchange = exchange
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.referencePrice = referencePrice
        self.priceBand = priceBand
    }

    /// An instrument whose band is `reference ± percent%`, the bounds moved inward onto the tick grid.
    public static func banded(
        symbol: String, name: String = "", exchange: String = "", tickSize: Price, lotSize: Int64 = 1,
        referencePrice: Price, bandPercent: Int64
    ) -> Instrument {
        let tick = tickSize.micros
        let delta = referencePrice.micros * bandPercent / 100
        let lowRaw = referencePrice.micros - delta
        let highRaw = referencePrice.micros + delta
        let low = max(tick, ((lowRaw + tick - 1) / tick) * tick)
        let high = (highRaw / tick) * tick
        return Instrument(
            symbol: symbol, name: name, exchange: exchange, tickSize: tickSize, lotSize: lotSize,
            referencePrice: referencePrice, priceBand: PriceBand(lower: Price(micros: low), upper: Price(micros: high)))
    }

    /// Largest quantity of one order; keeps every level's aggregate far from `Int64` overflow.
    public static let maximumOrderQuantity: Int64 = 1_000_000_000_000

    /// Why this definition cannot be traded, or nil when it is well formed.
    public var definitionProblem: String? {
        if symbol.isEmpty { return "symbol is empty" }
        if tickSize.micros <= 0 { return "\(symbol): tick_size must be positive" }
        if lotSize <= 0 { return "\(symbol): lot_size must be positive" }
        if let most = maxOrderQuantity, most <= 0 || most > Instrument.maximumOrderQuantity {
            return "\(symbol): max_order_quantity must be positive and at most \(Instrument.maximumOrderQuantity)"
        }
        if let band = priceBand {
            if band.lower.micros <= 0 || band.lower > band.upper { return "\(symbol): price band must satisfy 0 < lower <= upper" }
            if band.lower.micros % tickSize.micros != 0 || band.upper.micros % tickSize.micros != 0 {
                return "\(symbol): price band limits must lie on the tick grid"
            }
        }
        return nil
    }
}

/// Inclusive price limits of an instrument.
public struct PriceBand: Hashable, Sendable {
    public var lower: Price
    public var upper: Price
    public init(lower: Price, upper: Price) {
        self.lower = lower
        self.upper = upper
    }
}
