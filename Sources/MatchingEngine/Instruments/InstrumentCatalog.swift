/// The listed instruments: the built-in seed catalogue and the reader for `config/instruments.json`.
///
/// File format: a JSON array of objects with `symbol`, `name`, `exchange`, `tick_size`, `lot_size`,
/// `last_price` and optionally `price_band_low` / `price_band_high` (inclusive limit prices), the
/// `instruments` topic's record (ExchangeRecords.Instrument); other fields are ignored. Decimals are read exactly. The caller reads the file (this target does no I/O).
public enum InstrumentCatalog {
    /// The seed data set's instruments (reference prices from the original project), bands ±20% of
    /// the reference moved inward onto the tick grid, lot size 1.
    public static let seed: [Instrument] = [
        .banded(symbol: "AAPL", name: "Apple Inc.", exchange: "NASDAQ", tickSize: Price(micros: 10_000), referencePrice: Price(units: 160), bandPercent: 20),
        .banded(symbol: "GOOG", name: "Alphabet Inc.", exchange: "NASDAQ", tickSize: Price(micros: 50_000), referencePrice: Price(units: 1165), bandPercent: 20),
        .banded(symbol: "TSLA", name: "Tesla, Inc.", exchange: "NASDAQ", tickSize: Price(micros: 50_000), referencePrice: Price(units: 760), bandPercent: 20),
        .banded(symbol: "AMZN", name: "Amazon.com, Inc.", exchange: "NASDAQ", tickSize: Price(micros: 50_000), referencePrice: Price(units: 3011), bandPercent: 20),
        .banded(symbol: "FB", name: "Meta Platforms, Inc.", exchange: "NASDAQ", tickSize: Price(micros: 10_000), referencePrice: Price(units: 395), bandPercent: 20),
        .banded(symbol: "MSFT", name: "Microsoft Corporation", exchange: "NASDAQ", tickSize: Price(micros: 10_000), referencePrice: Price(units: 250), bandPercent: 20),
        .banded(symbol: "PCAR", name: "PACCAR Inc", exchange: "NASDAQ", tickSize: Price(micros: 10_000), referencePrice: Price(units: 70), bandPercent: 20),
    ]

    /// Why an instruments document could not be read.
    public struct LoadError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads an instruments document (UTF-8 JSON bytes); every problem names the entry and field.
    public static func decode(_ json: some Collection<UInt8>) throws(LoadError) -> [Instrument] {
        var parser = MiniJSON(Array(json))
        let root: MiniJSON.Value
        do { root = try parser.parseDocument() } catch { throw LoadError("instruments JSON: \(error.description)") }
        guard case .array(let entries) = root else { throw LoadError("instruments JSON must be an array of objects") }
        var result: [Instrument] = []
        var seen = Set<String>()
        for (i, entry) in entries.enumerated() {
            guard case .object(let fields) = entry else { throw LoadError("instrument #\(i): must be an object") }
            func text(_ key: String, required: Bool = true) throws(LoadError) -> String? {
                switch fields[key] {
                case .string(let s)?: return s
                case nil where !required, .null? where !required: return nil
                case nil: throw LoadError("instrument #\(i): missing \(key)")
                default: throw LoadError("instrument #\(i): \(key) must be a string")
                }
            }
            func decimal(_ key: String, required: Bool = true) throws(LoadError) -> Price? {
                switch fields[key] {
                case .number(let literal)?:
                    guard let micros = Price.parseMicros(literal.utf8) else {
                        throw LoadError("instrument #\(i): \(key) \(literal) is not a decimal with at most 6 fraction digits")
                    }
                    return Price(micros: micros)
                case nil where !required, .null? where !required: return nil
                case nil: throw LoadError("instrument #\(i): missing \(key)")
                default: throw LoadError("instrument #\(i): \(key) must be a number")
                }
            }
            let symbol = try text("symbol") ?? ""
            guard let tick = try decimal("tick_size"), let reference = try decimal("last_price") else {
                throw LoadError("instrument #\(i): missing tick_size or last_price")
            }
            var lot: Int64 = 1
            if let lotPrice = try decimal("lot_size", required: false) {
                guard lotPrice.micros % Price.microsPerUnit == 0 else { throw LoadError("instrument \(symbol): lot_size must be an integer") }
                lot = lotPrice.micros / Price.microsPerUnit
            }
            let lower = try decimal("price_band_low", required: false)
            let upper = try decimal("price_band_high", required: false)
            var band: PriceBand?
            switch (lower, upper) {
            case (let l?, let u?): band = PriceBand(lower: l, upper: u)
            case (nil, nil): band = nil
            default: throw LoadError("instrument \(symbol): give both price_band_low and price_band_high, or neither")
            }
            var most: Int64?
            if let mostPrice = try decimal("max_order_quantity", required: false) {
                guard mostPrice.micros % Price.microsPerUnit == 0 else { throw LoadError("instrument \(symbol): max_order_quantity must be an integer") }
                most = mostPrice.micros / Price.microsPerUnit
            }
            let instrument = Instrument(
                symbol: symbol, name: try text("name", required: false) ?? "", exchange: try text("exchange", required: false) ?? "",
                tickSize: tick, lotSize: lot, referencePrice: reference, priceBand: band, maxOrderQuantity: most)
            if let problem = instrument.definitionProblem { throw LoadError("instrument #\(i): \(problem)") }
            guard seen.insert(symbol).inserted else { throw LoadError("instrument \(symbol) is listed twice") }
            result.append(instrument)
        }
        return result
    }

    /// The JSON text of an instruments document, one instrument per line (the format `decode` reads).
    public static func encode(_ instruments: [Instrument]) -> String {
        var lines: [String] = []
        for instrument in instruments { lines.append("  " + encode(instrument)) }
        return "[\n" + lines.joined(separator: ",\n") + "\n]\n"
    }

    /// One instrument as a JSON object (also the value of the compacted `instruments` topic).
    public static func encode(_ instrument: Instrument) -> String {
        var text = "{\"symbol\":\(quoted(instrument.symbol)),\"name\":\(quoted(instrument.name)),\"exchange\":\(quoted(instrument.exchange))"
        text += ",\"tick_size\":\(instrument.tickSize),\"lot_size\":\(instrument.lotSize),\"last_price\":\(instrument.referencePrice)"
        if let band = instrument.priceBand {
            text += ",\"price_band_low\":\(band.lower),\"price_band_high\":\(band.upper)"
        }
        if let most = instrument.maxOrderQuantity { text += ",\"max_order_quantity\":\(most)" }
        return text + "}"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A small strict JSON reader for the instruments file; numbers stay as their literal text so
/// decimals are never routed through `Double`.
struct MiniJSON {
    indirect enum Value {
        case object([String: Value])
        case array([Value])
        case string(String)
        case number(String)
        case bool(Bool)
        case null
    }

    struct Failure: Error { var description: String }

    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(Failure) -> Value {
        let value = try parseValue(depth: 0)
        skipSpace()
        guard i == bytes.count else { throw Failure(description: "unexpected text after the document at byte \(i)") }
        return value
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0a || bytes[i] == 0x0d || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ literal: String) throws(Failure) {
        for byte in literal.utf8 {
            guard i < bytes.count, bytes[i] == byte else { throw Failure(description: "expected \(literal) at byte \(i)") }
            i += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> Value {
        guard depth < 64 else { throw Failure(description: "nesting too deep") }
        skipSpace()
        guard i < bytes.count else { throw Failure(description: "unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var fields: [String: Value] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
            while true {
                skipSpace()
                let key = try parseString()
                skipSpace()
                try expect(":")
                guard fields[key] == nil else { throw Failure(description: "duplicate key \(key)") }
                fields[key] = try parseValue(depth: depth + 1)
                skipSpace()
                guard i < bytes.count else { throw Failure(description: "unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("}")
                return .object(fields)
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw Failure(description: "unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("]")
                return .array(items)
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        default:
            let start = i
            while i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: ".")
                || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") || (bytes[i] >= 0x30 && bytes[i] <= 0x39)
            {
                i += 1
            }
            guard i > start else { throw Failure(description: "unexpected character at byte \(i)") }
            return .number(String(decoding: bytes[start..<i], as: UTF8.self))
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        try expect("\"")
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw Failure(description: "unterminated string") }
            let byte = bytes[i]
            i += 1
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20 else { throw Failure(description: "control character in string at byte \(i - 1)") }
            if byte != UInt8(ascii: "\\") { out.append(byte); continue }
            guard i < bytes.count else { throw Failure(description: "unterminated escape") }
            let escape = bytes[i]
            i += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "u"):
                guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16),
                    let scalar = Unicode.Scalar(code)
                else { throw Failure(description: "bad \\u escape at byte \(i)") }
                i += 4
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw Failure(description: "bad escape at byte \(i - 1)")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
