/// What the gateway checks an order against, per instrument: the same rules the engine enforces,
/// applied before anything reaches Kafka so a bad order gets a 400 naming the field instead of
/// a REJECTED report later.
public struct InstrumentRules: Sendable, Equatable {
    public var symbol: String
    public var name: String
    public var exchange: String
    public var tickSizeMicros: Int64
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
}

/// The instruments the gateway accepts orders for, by symbol.
public struct InstrumentTable: Sendable {
    public let all: [InstrumentRules]
    private let bySymbol: [String: InstrumentRules]

    public init(_ instruments: [InstrumentRules]) {
        self.all = instruments.sorted { $0.symbol < $1.symbol }
        self.bySymbol = Dictionary(instruments.map { ($0.symbol, $0) }, uniquingKeysWith: { _, last in last })
    }

    public subscript(symbol: String) -> InstrumentRules? { bySymbol[symbol] }
}
