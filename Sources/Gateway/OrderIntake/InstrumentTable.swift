@_exported import struct ExchangeVocabulary.InstrumentRules
// Gateway callers build the table from the vocabulary's instrument without importing it.
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
