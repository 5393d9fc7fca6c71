import ExchangeRecords
import MatchingEngine

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension InstrumentRules {
    /// The gateway's rules for an engine instrument: the engine's tick, lot and band, plus the
    /// gateway's own per-order quantity ceiling (the engine has none).
    public init(_ instrument: MatchingEngine.Instrument, maxOrderQuantity: Int64 = InstrumentRules.defaultMaxOrderQuantity) {
        self.init(
            symbol: instrument.symbol, name: instrument.name, exchange: instrument.exchange,
            tickSizeMicros: instrument.tickSize.micros, lotSize: instrument.lotSize,
            referencePriceMicros: instrument.referencePrice.micros,
            lowerBandMicros: instrument.priceBand?.lower.micros ?? instrument.tickSize.micros,
            upperBandMicros: instrument.priceBand?.upper.micros ?? Int64.max,
            maxOrderQuantity: maxOrderQuantity)
    }

    public static let defaultMaxOrderQuantity: Int64 = 100_000

    /// The engine's seed catalogue (`config/instruments.json` holds the same).
    public static var seed: [InstrumentRules] { InstrumentCatalog.seed.map { InstrumentRules($0) } }

    /// Loads an instruments file in the engine's format (`config/instruments.json`).
    public static func load(path: String, maxOrderQuantity: Int64 = defaultMaxOrderQuantity) throws -> [InstrumentRules] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigurationError("instruments file \(path) cannot be read") }
        do {
            return try InstrumentFile.decode(Array(data)).map { InstrumentRules($0, maxOrderQuantity: maxOrderQuantity) }
        } catch {
            throw ConfigurationError("instruments file \(path): \(error.description)")
        }
    }
}
