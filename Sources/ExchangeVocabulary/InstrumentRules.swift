/// What an order must fit, per instrument: tick grid, lot size, static price band and per-order
/// quantity ceiling. The gateway checks it before anything reaches Kafka (a 400 naming the field);
/// the engine checks the same functions again, so both reject exactly the same orders.
public struct InstrumentRules: Sendable, Hashable {
    public var symbol: String
    public var name: String
    public var exchange: String
    /// Positive.
    public var tickSizeMicros: Int64
    /// Positive.
    public var lotSize: Int64
    public var referencePriceMicros: Int64
    /// Inclusive static price band.
    public var lowerBandMicros: Int64
    public var upperBandMicros: Int64
    /// The largest quantity one order may carry (an exchange's freeze quantity).
    public var maxOrderQuantity: Int64

    public init(
        symbol: String, name: String, exchange: String = "XKFK", tickSizeMicros: Int64, lotSize: Int64,
        referencePriceMicros: Int64, lowerBandMicros: Int64, upperBandMicros: Int64, maxOrderQuantity: Int64
    ) {
        self.symbol = symbol
        self.name = name
        self.exchange = exchange
        self.tickSizeMicros = tickSizeMicros
        self.lotSize = lotSize
        self.referencePriceMicros = referencePriceMicros
        self.lowerBandMicros = lowerBandMicros
        self.upperBandMicros = upperBandMicros
        self.maxOrderQuantity = maxOrderQuantity
    }

    /// Why a limit price does not fit this instrument, or nil when it does.
    @inlinable
    public func validate(priceMicros: Int64) -> Reason? {
        InstrumentRules.validate(
            priceMicros: priceMicros, tickSizeMicros: tickSizeMicros, lowerBandMicros: lowerBandMicros, upperBandMicros: upperBandMicros)
    }

    /// Why an order quantity does not fit this instrument, or nil when it does.
    @inlinable
    public func validate(quantity: Int64) -> Reason? {
        InstrumentRules.validate(quantity: quantity, lotSize: lotSize, maxOrderQuantity: maxOrderQuantity)
    }

    /// The price rule over bare integers, for the engine's hot path: positive, on the grid, inside
    /// the inclusive band, checked in that order. Only comparisons and `%` by a positive tick, so no
    /// input traps.
    @inlinable
    public static func validate(priceMicros: Int64, tickSizeMicros: Int64, lowerBandMicros: Int64, upperBandMicros: Int64) -> Reason? {
        if priceMicros <= 0 { return .nonPositivePrice }
        if priceMicros % tickSizeMicros != 0 { return .offTick }
        if priceMicros < lowerBandMicros || priceMicros > upperBandMicros { return .outsidePriceBand }
        return nil
    }

    /// The quantity rule over bare integers: positive, at most the ceiling, a whole number of lots.
    @inlinable
    public static func validate(quantity: Int64, lotSize: Int64, maxOrderQuantity: Int64) -> Reason? {
        if quantity <= 0 { return .nonPositiveQuantity }
        if quantity > maxOrderQuantity { return .quantityTooLarge }
        if lotSize != 1 && quantity % lotSize != 0 { return .offLot }  // a division costs more than the test
        return nil
    }
}
