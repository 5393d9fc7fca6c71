import enum ExchangeRecords.JSONValue
import struct ExchangeRecords.FixedDecimal
import MatchingEngine

/// `config/instruments.json`, read by `--instruments` and `exchange instruments publish`: a JSON array of objects
/// with `symbol`, `tick_size` and `last_price`, and optionally `name`, `exchange`, `lot_size` (1),
/// `price_band_low` / `price_band_high` (inclusive limit prices, both or neither) and `max_order_quantity` — the
/// `instruments` topic's fields (ExchangeRecords' `Instrument`); other fields are ignored. Decimals are read exactly.
public enum InstrumentFile {
    /// Why an instruments document could not be read.
    public struct LoadError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads an instruments document (UTF-8 JSON bytes); every problem names the entry and field.
    public static func decode(_ json: some Collection<UInt8>) throws(LoadError) -> [Instrument] {
        let root: JSONValue
        do { root = try JSONValue.parse(json) } catch { throw LoadError("instruments JSON: \(error.reason) at byte \(error.offset)") }
        guard case .array(let entries) = root else { throw LoadError("instruments JSON must be an array of objects") }
        var result: [Instrument] = []
        var seen = Set<String>()
        for (i, entry) in entries.enumerated() {
            guard case .object = entry else { throw LoadError("instrument #\(i): must be an object") }
            func text(_ key: String) throws(LoadError) -> String? {
                switch entry[key] {
                case .string(let s)?: return s
                case nil, .null?: return nil
                default: throw LoadError("instrument #\(i): \(key) must be a string")
                }
            }
            func decimal(_ key: String) throws(LoadError) -> Price? {
                switch entry[key] {
                case .number(let literal)?:
                    guard let value = FixedDecimal(literal) else {
                        throw LoadError("instrument #\(i): \(key) \(literal) is not a decimal with at most 6 fraction digits")
                    }
                    return Price(micros: value.micros)
                case nil, .null?: return nil
                default: throw LoadError("instrument #\(i): \(key) must be a number")
                }
            }
            func whole(_ key: String) throws(LoadError) -> Int64? {
                guard let value = try decimal(key) else { return nil }
                guard value.micros % Price.microsPerUnit == 0 else { throw LoadError("instrument #\(i): \(key) must be an integer") }
                return value.micros / Price.microsPerUnit
            }
            guard let symbol = try text("symbol") else { throw LoadError("instrument #\(i): missing symbol") }
            guard let tick = try decimal("tick_size"), let reference = try decimal("last_price") else {
                throw LoadError("instrument #\(i): missing tick_size or last_price")
            }
            var band: PriceBand?
            switch (try decimal("price_band_low"), try decimal("price_band_high")) {
            case (let low?, let high?): band = PriceBand(lower: low, upper: high)
            case (nil, nil): band = nil
            default: throw LoadError("instrument \(symbol): give both price_band_low and price_band_high, or neither")
            }
            let instrument = Instrument(
                symbol: symbol, name: try text("name") ?? "", exchange: try text("exchange") ?? "", tickSize: tick,
                lotSize: try whole("lot_size") ?? 1, referencePrice: reference, priceBand: band, maxOrderQuantity: try whole("max_order_quantity"))
            if let problem = instrument.definitionProblem { throw LoadError("instrument #\(i): \(problem)") }
            guard seen.insert(symbol).inserted else { throw LoadError("instrument \(symbol) is listed twice") }
            result.append(instrument)
        }
        return result
    }

    /// The JSON text of an instruments document, one instrument per line (the format `decode` reads).
    public static func encode(_ instruments: [Instrument]) -> String {
        "[\n" + instruments.map { "  " + encode($0) }.joined(separator: ",\n") + "\n]\n"
    }

    /// One instrument as a JSON object.
    public static func encode(_ instrument: Instrument) -> String {
        var members: [(String, JSONValue)] = [
            ("symbol", .string(instrument.symbol)), ("name", .string(instrument.name)), ("exchange", .string(instrument.exchange)),
            ("tick_size", .micros(instrument.tickSize.micros)), ("lot_size", .int(instrument.lotSize)),
            ("last_price", .micros(instrument.referencePrice.micros)),
        ]
        if let band = instrument.priceBand {
            members += [("price_band_low", .micros(band.lower.micros)), ("price_band_high", .micros(band.upper.micros))]
        }
        if let most = instrument.maxOrderQuantity { members.append(("max_order_quantity", .int(most))) }
        return JSONValue.object(members).serialized()
    }
}
