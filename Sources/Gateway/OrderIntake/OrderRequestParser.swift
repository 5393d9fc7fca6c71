import ExchangeRecords

/// Turns a `POST /orders` or `PUT /orders/{id}` JSON body into a validated command, or an
/// `APIError` naming the first bad field.
///
/// Request shape (JSON, strict: unknown fields and duplicate keys are errors):
/// `symbol`, `side` (BUY/SELL), `order_type` (LIMIT/MARKET), `price` (decimal, LIMIT only),
/// `quantity` (integer, a multiple of the lot size), `validity` (DAY default, GTC, IOC, FOK,
/// TTL, GTD), `validity_ttl` (minutes, TTL only), `expire_at` (epoch ms, GTD only), `client_order_id` (optional). Kite Connect calls
/// these `tradingsymbol`, `transaction_type`, `order_type`, `price`, `quantity`, `validity`,
/// `validity_ttl`, `tag`.
public struct OrderRequestParser: Sendable {
    public static let placeFields: Set<String> = [
        "symbol", "side", "order_type", "price", "quantity", "validity", "validity_ttl", "expire_at", "client_order_id",
    ]
    public static let modifyFields: Set<String> = ["price", "quantity"]
    /// Longest TTL: one week of minutes.
    public static let maxTTLMinutes: Int64 = 7 * 24 * 60

    public var instruments: InstrumentTable

    /// The last millisecond of 2199-12-31 UTC: the latest `expire_at` a GTD order may name (an instant already past
    /// is the engine's to refuse, by its event-time clock: `EXPIRE_AT_PASSED`).
    public static let latestExpiry: Int64 = 7_258_118_399_999

    public init(instruments: InstrumentTable) {
        self.instruments = instruments
    }

    /// The parsed fields of a place request, not yet given an id, trader and timestamp.
    public struct Placement: Sendable, Equatable {
        public var symbol: String
        public var side: Side
        public var type: OrderType
        public var priceMicros: Int64?
        public var quantity: Int64
        public var timeInForce: TimeInForce
        public var validityTTL: Int64?
        /// Epoch ms, for GTD only.
        public var expireAt: Int64?
        public var clientOrderId: String?

        /// The whole request, as text: an idempotent retry must repeat it exactly.
        public var fingerprint: String {
            "\(symbol)|\(side.rawValue)|\(type.rawValue)|\(priceMicros.map(String.init) ?? "")|\(quantity)|\(timeInForce.rawValue)|\(validityTTL.map(String.init) ?? "")|\(expireAt.map(String.init) ?? "")|\(clientOrderId ?? "")"
        }

        public init(
            symbol: String, side: Side, type: OrderType, priceMicros: Int64?, quantity: Int64, timeInForce: TimeInForce,
            validityTTL: Int64?, expireAt: Int64? = nil, clientOrderId: String?
        ) {
            self.expireAt = expireAt
            self.symbol = symbol
            self.side = side
            self.type = type
            self.priceMicros = priceMicros
            self.quantity = quantity
            self.timeInForce = timeInForce
            self.validityTTL = validityTTL
            self.clientOrderId = clientOrderId
        }
    }

    public func parsePlacement(_ body: some Collection<UInt8>) throws(APIError) -> Placement {
        let object = try OrderRequestParser.object(body, allowed: OrderRequestParser.placeFields)

        let symbol = try string(object, "symbol", required: true) ?? ""
        let instrument = try instruments.tradable(symbol)
        let side = try enumeration(object, "side", Side.self) ?? .buy
        let type = try enumeration(object, "order_type", OrderType.self) ?? .limit
        let quantity = try self.quantity(object, "quantity", instrument: instrument)

        var price: Int64?
        switch type {
        case .limit:
            guard object["price"] != nil else { throw APIError.input("price", "is required for LIMIT orders") }
            price = try self.price(object, "price", instrument: instrument)
        case .market:
            if object["price"] != nil, object["price"] != .null {
                throw APIError.input("price", "must be absent for MARKET orders")
            }
        }

        let validity = try enumeration(object, "validity", TimeInForce.self, required: false) ?? .day
        var ttl: Int64?
        if validity == .timeToLive {
            guard object["validity_ttl"] != nil else { throw APIError.input("validity_ttl", "is required when validity is TTL (minutes)") }
            ttl = try integer(object, "validity_ttl")
            if let t = ttl, t < 1 || t > OrderRequestParser.maxTTLMinutes {
                throw APIError.input("validity_ttl", "must be between 1 and \(OrderRequestParser.maxTTLMinutes) minutes")
            }
        } else if object["validity_ttl"] != nil {
            throw APIError.input("validity_ttl", "is only allowed when validity is TTL")
        }
        var expireAt: Int64?
        if validity == .goodTillDate {
            guard object["expire_at"] != nil else { throw APIError.input("expire_at", "is required when validity is GTD (epoch ms)") }
            expireAt = try integer(object, "expire_at")
            if let e = expireAt, e <= 0 || e > OrderRequestParser.latestExpiry {
                throw APIError.input("expire_at", "must be an epoch time in milliseconds up to \(OrderRequestParser.latestExpiry) (2199-12-31)")
            }
        } else if object["expire_at"] != nil {
            throw APIError.input("expire_at", "is only allowed when validity is GTD")
        }

        let clientOrderId = try string(object, "client_order_id", required: false)
        if let c = clientOrderId {
            guard (1...64).contains(c.utf8.count),
                  c.utf8.allSatisfy({ OrderRequestParser.isIdentifierByte($0) })
            else { throw APIError.input("client_order_id", "must be 1 to 64 characters of A-Z a-z 0-9 _ - . :") }
        }
        return Placement(
            symbol: symbol, side: side, type: type, priceMicros: price, quantity: quantity, timeInForce: validity,
            validityTTL: ttl, expireAt: expireAt, clientOrderId: clientOrderId)
    }

    /// A modify request: new `price` and/or `quantity` for an order of `instrument`.
    public func parseModification(_ body: some Collection<UInt8>, instrument: InstrumentRules) throws(APIError) -> (price: Int64?, quantity: Int64?) {
        let object = try OrderRequestParser.object(body, allowed: OrderRequestParser.modifyFields)
        let price = object["price"] == nil ? nil : try self.price(object, "price", instrument: instrument)
        let quantity = object["quantity"] == nil ? nil : try self.quantity(object, "quantity", instrument: instrument)
        if price == nil, quantity == nil { throw APIError.input("body", "give a new price and/or quantity") }
        return (price, quantity)
    }

    static func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 45 || b == 46 || b == 58
    }

    // MARK: field readers

    static func object(_ body: some Collection<UInt8>, allowed: Set<String>) throws(APIError) -> JSONValue {
        guard !body.isEmpty else { throw APIError.input("body", "is empty; send a JSON object") }
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch {
            throw APIError.input("body", "malformed JSON at byte \(error.offset): \(error.reason)")
        }
        guard case .object(let members) = value else { throw APIError.input("body", "must be a JSON object, not \(value.typeName)") }
        // A scan, not the set's hash: the keys are short strings, compared in two machine words each.
        for (key, _) in members where !allowed.contains(where: { $0 == key }) {
            throw APIError.input(key, "unknown field (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        return value
    }

    func string(_ object: JSONValue, _ field: String, required: Bool) throws(APIError) -> String? {
        switch object[field] {
        case nil:
            if required { throw APIError.input(field, "is required") }
            return nil
        case .string(let s)?:
            if s.isEmpty { throw APIError.input(field, "must not be empty") }
            return s
        case let other?:
            throw APIError.input(field, "must be a string, not \(other.typeName)")
        }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(
        _ object: JSONValue, _ field: String, _: E.Type, required: Bool = true
    ) throws(APIError) -> E? where E.RawValue == String {
        guard let text = try string(object, field, required: required) else { return nil }
        guard let value = E(rawValue: text) else {
            throw APIError.input(field, "'\(text)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func integer(_ object: JSONValue, _ field: String) throws(APIError) -> Int64 {
        guard case .number(let text)? = object[field] else {
            throw APIError.input(field, object[field].map { "must be an integer, not \($0.typeName)" } ?? "is required")
        }
        if let value = Int64(text) { return value }
        // JSON has one number type: 10.0 and 1e1 are the integer 10 (as JSON Schema's "integer" says), 10.5 is not.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
            throw APIError.input(field, "\(text) is out of range")
        }
        guard let decimal = try? FixedDecimal.parse(text, field: field), decimal.micros % 1_000_000 == 0 else {
            throw APIError.input(field, "must be a whole number (at most 9223372036854), not \(text)")
        }
        return decimal.micros / 1_000_000
    }

    func quantity(_ object: JSONValue, _ field: String, instrument: InstrumentRules) throws(APIError) -> Int64 {
        let q = try integer(object, field)
        switch instrument.validate(quantity: q) {
        case nil: return q
        case .nonPositiveQuantity?: throw APIError.input(field, "must be positive, not \(q)")
        case .quantityTooLarge?:
            throw APIError.input(field, "\(q) exceeds the maximum order quantity \(instrument.maxOrderQuantity) for \(instrument.symbol)")
        default: throw APIError.input(field, "\(q) is not a multiple of the lot size \(instrument.lotSize)")
        }
    }

    func price(_ object: JSONValue, _ field: String, instrument: InstrumentRules) throws(APIError) -> Int64 {
        guard case .number(let text)? = object[field] else {
            throw APIError.input(field, object[field].map { "must be a number, not \($0.typeName)" } ?? "is required")
        }
        let micros: Int64
        do {
            micros = try FixedDecimal.parse(text, field: field).micros
        } catch {
            throw APIError.input(field, error.reason)
        }
        switch instrument.validate(priceMicros: micros) {
        case nil: return micros
        case .nonPositivePrice?: throw APIError.input(field, "must be positive, not \(text)")
        case .offTick?:
            throw APIError.input(field, "\(text) is not a multiple of the tick size \(JSONValue.decimal(instrument.tickSizeMicros))")
        default:
            throw APIError.input(
                field,
                "\(text) is outside the price band \(JSONValue.decimal(instrument.lowerBandMicros))–\(JSONValue.decimal(instrument.upperBandMicros))")
        }
    }
}
