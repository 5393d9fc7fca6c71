import ExchangeRecords
import Gateway
/// Random orders in the seed's model: random side, 1 to 10 lots, LIMIT prices within ±5 % of
/// the instrument's reference price on its tick grid, and a configurable time-in-force mix.
/// Deterministic for a seed (SplitMix64), so a load run can be repeated.
public struct LoadGenerator: Sendable {
    public var instruments: [InstrumentRules]
    /// Time in force with relative weights, e.g. `[(.goodTillCanceled, 50), (.immediateOrCancel, 20), (.timeToLive, 30)]`.
    public var timeInForceMix: [(TimeInForce, Int)]
    public var ttlMinutes: Int64
    private var state: UInt64

    public init(instruments: [InstrumentRules], timeInForceMix: [(TimeInForce, Int)] = [(.goodTillCanceled, 1)], ttlMinutes: Int64 = 5, seed: UInt64 = 42) {
        self.instruments = instruments
        self.timeInForceMix = timeInForceMix.filter { $0.1 > 0 }
        if self.timeInForceMix.isEmpty { self.timeInForceMix = [(.goodTillCanceled, 1)] }
        self.ttlMinutes = ttlMinutes
        self.state = seed
    }

    /// Parses `GTC=50,IOC=20,TTL=30`.
    public static func parseMix(_ text: String) throws(ConfigurationError) -> [(TimeInForce, Int)] {
        try text.split(separator: ",").map { item throws(ConfigurationError) in
            let parts = item.split(separator: "=")
            guard parts.count == 2, let tif = TimeInForce(rawValue: parts[0].uppercased()), let weight = Int(parts[1]), weight >= 0 else {
                throw ConfigurationError("time-in-force mix entry '\(item)' is not NAME=weight with NAME in GTC, DAY, IOC, FOK, TTL")
            }
            return (tif, weight)
        }
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform(_ range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// The next order's fields.
    public mutating func nextPlacement() -> OrderRequestParser.Placement {
        let instrument = instruments[Int(next() % UInt64(instruments.count))]
        let side: Side = next() & 1 == 0 ? .buy : .sell
        let quantity = uniform(1...10) * instrument.lotSize
        let spread = instrument.referencePriceMicros / 20 / instrument.tickSizeMicros
        var price = instrument.referencePriceMicros / instrument.tickSizeMicros * instrument.tickSizeMicros
            + uniform(-spread...spread) * instrument.tickSizeMicros
        price = min(max(price, instrument.lowerBandMicros), instrument.upperBandMicros)
        let total = timeInForceMix.reduce(0) { $0 + $1.1 }
        var pick = Int(next() % UInt64(total))
        var tif = timeInForceMix[0].0
        for (candidate, weight) in timeInForceMix {
            if pick < weight { tif = candidate; break }
            pick -= weight
        }
        return OrderRequestParser.Placement(
            symbol: instrument.symbol, side: side, type: .limit, priceMicros: price, quantity: quantity, timeInForce: tif,
            validityTTL: tif == .timeToLive ? ttlMinutes : nil, clientOrderId: nil)
    }

    /// A `POST /orders` body for a placement.
    public static func body(_ p: OrderRequestParser.Placement) -> String {
        var fields: [(String, JSONValue)] = [
            ("symbol", .string(p.symbol)), ("side", .string(p.side.rawValue)), ("order_type", .string(p.type.rawValue)),
        ]
        if let price = p.priceMicros { fields.append(("price", .micros(price))) }
        fields.append(("quantity", .int(p.quantity)))
        fields.append(("validity", .string(p.timeInForce.rawValue)))
        if let ttl = p.validityTTL { fields.append(("validity_ttl", .int(ttl))) }
        return JSONValue.object(fields).serialized()
    }
}
