/// A value of `incoming_orders`: a new order, a cancel, a modify, a clock tick or an instrument change.
///
/// A record without `type` (or with `"type":"NEW"`) is a new order, as in the seed's format; cancels, modifies and
/// ticks carry `type`. Encoding omits `type` for new orders. Fields that do not belong to the record's kind are
/// rejected (e.g. `price` on a cancel).
///
/// Producers the exchange did not write are read as they write (`ReadingRules`, docs/records.md): enum values in any
/// case, numbers as strings, unknown fields ignored, a date-time as `time_in_force`, no `trader_id` (an unattributed
/// order), no `timestamp` (the Kafka record's).
public enum IncomingOrder: Sendable, Hashable {
    case new(NewOrder)
    case cancel(CancelOrder)
    case modify(ModifyOrder)
    case tick(Tick)
    case instrument(InstrumentChange)

    /// The symbol (the Kafka key); nil for ticks.
    public var stockSymbol: String? {
        switch self {
        case .new(let o): o.stockSymbol
        case .cancel(let o): o.stockSymbol
        case .modify(let o): o.stockSymbol
        case .tick: nil
        case .instrument(let c): c.stockSymbol
        }
    }

    /// The order the record places, cancels or modifies; nil for ticks and instrument changes.
    public var orderId: String? {
        switch self {
        case .new(let o): o.orderId
        case .cancel(let o): o.orderId
        case .modify(let o): o.orderId
        case .tick, .instrument: nil
        }
    }

    /// The side, which decides `buy_orders` or `sell_orders`; nil for ticks and instrument changes (`buy_orders`).
    public var side: Side? {
        switch self {
        case .new(let o): o.side
        case .cancel(let o): o.side
        case .modify(let o): o.side
        case .tick, .instrument: nil
        }
    }

    public var timestamp: Int64 {
        switch self {
        case .new(let o): o.timestamp
        case .cancel(let o): o.timestamp
        case .modify(let o): o.timestamp
        case .tick(let t): t.timestamp
        case .instrument(let c): c.timestamp
        }
    }
}

extension IncomingOrder: JSONRecord, JSONObjectReadable {
    static let orderFieldNames = [
        "type", "order_id", "client_order_id", "trader_id", "stock_symbol", "side", "order_type", "price",
        "quantity", "time_in_force", "validity_ttl", "expire_at", "timestamp", "action", "instrument", "reason",
    ]
    /// `origin_partition` and `origin_offset` mark a record the splitter forwarded to its symbol's partition.
    static let table = FieldTable(["origin_partition", "origin_offset"] + orderFieldNames)
    private static let originFields: [ExtraField] = [.originPartition, .originOffset]

    public static var fieldNames: [String] { table.names }

    /// How values written by producers the exchange did not write are read (docs/records.md, "Feeding the exchange from other
    /// producers").
    public struct ReadingRules: Sendable, Hashable {
        /// What a date-time in `time_in_force` means: `day` (the order rests for the session; the original order
        /// server writes its placement time there) or `gtd` (the order is good till that instant).
        public enum DateTimeValidity: String, Sendable, Hashable, CaseIterable {
            case day, gtd
        }

        public var dateTimeValidity: DateTimeValidity
        /// The Kafka record's timestamp, taken as the order's when the value has no `timestamp`.
        public var recordTimestamp: Int64?

        public init(dateTimeValidity: DateTimeValidity = .day, recordTimestamp: Int64? = nil) {
            self.dateTimeValidity = dateTimeValidity
            self.recordTimestamp = recordTimestamp
        }
    }

    /// Where the splitter first read a record that it forwarded to the partition of the record's symbol.
    public struct Origin: Sendable, Hashable {
        public var partition: Int32
        public var offset: Int64

        public init(partition: Int32, offset: Int64) {
            self.partition = partition
            self.offset = offset
        }
    }

    public func encode(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        encodeFields(into: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    /// The record as the splitter forwards it: its origin first, then the order's fields.
    public func encode(into buffer: inout [UInt8], origin: Origin) {
        buffer.appendLiteral("{\"origin_partition\":")
        buffer.appendInteger(Int64(origin.partition))
        buffer.appendLiteral(",\"origin_offset\":")
        buffer.appendInteger(origin.offset)
        buffer.append(UInt8(ascii: ","))
        encodeFields(into: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    /// The fields without braces (shared with `SequencedOrder`).
    func encodeFields(into b: inout [UInt8]) {
        switch self {
        case .new(let o):
            b.appendLiteral("\"order_id\":")
            b.appendJSONString(o.orderId)
            if let id = o.clientOrderId {
                b.appendLiteral(",\"client_order_id\":")
                b.appendJSONString(id)
            }
            if let traderId = o.traderId {
                b.appendLiteral(",\"trader_id\":")
                b.appendJSONString(traderId)
            }
            b.appendLiteral(",\"stock_symbol\":")
            b.appendJSONString(o.stockSymbol)
            b.appendSide(o.side)
            b.appendOrderType(o.orderType)
            if let price = o.price {
                b.appendLiteral(",\"price\":")
                b.appendDecimal(price)
            }
            b.appendLiteral(",\"quantity\":")
            b.appendInteger(o.quantity)
            b.appendTimeInForce(o.timeInForce)
            if let ttl = o.validityTTL {
                b.appendLiteral(",\"validity_ttl\":")
                b.appendInteger(ttl)
            }
            if let expireAt = o.expireAt {
                b.appendLiteral(",\"expire_at\":")
                b.appendInteger(expireAt)
            }
        case .cancel(let o):
            b.appendLiteral("\"type\":\"CANCEL\",")
            b.appendOrderIdentity(o.orderId, traderId: o.traderId, symbol: o.stockSymbol, side: o.side)
        case .modify(let o):
            b.appendLiteral("\"type\":\"MODIFY\",")
            b.appendOrderIdentity(o.orderId, traderId: o.traderId, symbol: o.stockSymbol, side: o.side)
            if let price = o.price {
                b.appendLiteral(",\"price\":")
                b.appendDecimal(price)
            }
            if let quantity = o.quantity {
                b.appendLiteral(",\"quantity\":")
                b.appendInteger(quantity)
            }
        case .tick:
            b.appendLiteral("\"type\":\"TICK\"")
        case .instrument(let c):
            b.appendLiteral("\"type\":\"INSTRUMENT\",\"action\":\"")
            b.append(contentsOf: c.action.rawValue.utf8)
            b.appendLiteral("\",\"stock_symbol\":")
            b.appendJSONString(c.stockSymbol)
            if let instrument = c.instrument {
                b.appendLiteral(",\"instrument\":")
                instrument.encode(into: &b)
            }
            if let reason = c.reason {
                b.appendLiteral(",\"reason\":")
                b.appendJSONString(reason)
            }
        }
        b.appendLiteral(",\"timestamp\":")
        b.appendInteger(timestamp)
    }

    /// Decodes with the default `ReadingRules` (a value without `timestamp` is refused).
    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeForwarded(json: json, rules: ReadingRules()).order
    }

    public static func decode(json: UnsafeRawBufferPointer, rules: ReadingRules) throws(RecordDecodingError) -> Self {
        try decodeForwarded(json: json, rules: rules).order
    }

    /// The same over any bytes (an array, a slice of a Kafka batch, a string's UTF-8).
    public static func decode(json: some Sequence<UInt8>, rules: ReadingRules) throws(RecordDecodingError) -> Self {
        try decodeForwarded(json: json, rules: rules).order
    }

    public static func decode(json: String, rules: ReadingRules) throws(RecordDecodingError) -> Self {
        try decode(json: json.utf8, rules: rules)
    }

    /// `decodeForwarded` over any bytes: in place when they are contiguous, else copied once.
    public static func decodeForwarded(
        json: some Sequence<UInt8>, rules: ReadingRules
    ) throws(RecordDecodingError) -> (order: IncomingOrder, origin: Origin?) {
        func decode(_ raw: UnsafeRawBufferPointer) -> Result<(order: IncomingOrder, origin: Origin?), RecordDecodingError> {
            Result { () throws(RecordDecodingError) in try decodeForwarded(json: raw, rules: rules) }
        }
        let result = json.withContiguousStorageIfAvailable { decode(UnsafeRawBufferPointer($0)) }
            ?? Array(json).withUnsafeBytes { decode($0) }
        return try result.get()
    }

    /// Decodes a value of `incoming_orders`, with the origin the splitter gave it if it forwarded it.
    public static func decodeForwarded(
        json: UnsafeRawBufferPointer, rules: ReadingRules
    ) throws(RecordDecodingError) -> (order: IncomingOrder, origin: Origin?) {
        guard json.count <= maximumJSONBytes else {
            throw RecordDecodingError(field: nil, reason: "record is \(json.count) bytes; the limit is \(maximumJSONBytes)")
        }
        var reader = JSONReader(json)
        reader.foreignForms = true
        var extra = ExtraFields()
        let order = try read(from: &reader, table: table, extras: originFields, extra: &extra, rules: rules)
        try reader.finish()
        switch (extra.originPartition, extra.originOffset) {
        case (let partition?, let offset?): return (order, Origin(partition: partition, offset: offset))
        case (nil, nil): return (order, nil)
        case (nil, _): throw reader.error("origin_partition", "missing required field (origin_offset is given)")
        case (_, nil): throw reader.error("origin_offset", "missing required field (origin_partition is given)")
        }
    }

    static func read(from reader: inout JSONReader) throws(RecordDecodingError) -> IncomingOrder {
        var extra = ExtraFields()
        return try read(from: &reader, table: table, extras: originFields, extra: &extra, rules: ReadingRules())
    }

    /// Fields some tables put before the order's own: `seq` and `source_offset` of the split topics, the origin
    /// of a forwarded record.
    enum ExtraField { case seq, sourceOffset, originPartition, originOffset }

    struct ExtraFields {
        var seq: Int64?
        var sourceOffset: Int64?
        var originPartition: Int32?
        var originOffset: Int64?
    }

    private enum Kind { case new, cancel, modify, tick, instrument }
    private static let kindTable = FieldTable(["NEW", "CANCEL", "MODIFY", "TICK", "INSTRUMENT"])
    private static let kinds: [Kind] = [.new, .cancel, .modify, .tick, .instrument]

    /// `time_in_force` of a foreign record: a code in any case, or a date-time read by `rules`.
    private enum Validity {
        case code(TimeInForce)
        case until(Int64)
    }

    private static func readValidity(_ r: inout JSONReader) throws(RecordDecodingError) -> Validity {
        let start = r.pos
        do {
            return .code(try r.readEnum(TimeInForce.self, field: "time_in_force"))
        } catch {
            guard r.foreignForms else { throw error }
            r.pos = start
            let text = try r.readString(field: "time_in_force")
            guard let instant = DateTimeText.epochMilliseconds(text), instant >= 0 else {
                let codes = TimeInForce.allCases.map(\.rawValue).joined(separator: ", ")
                throw r.error(
                    "time_in_force", "'\(text)' is not one of \(codes), nor a date-time (YYYY-MM-DD HH:MM:SS or ISO 8601)")
            }
            return .until(instant)
        }
    }

    /// Reads an order object whose field table starts with `extras.count` extra fields.
    static func read(
        from r: inout JSONReader, table: FieldTable, extras: [ExtraField], extra: inout ExtraFields, rules: ReadingRules
    ) throws(RecordDecodingError) -> IncomingOrder {
        try r.beginObject(field: nil)
        let extraFields = extras.count
        var kind = Kind.new
        var orderId: String?, clientOrderId: String?, traderId: String?, symbol: String?
        var side: Side?, orderType: OrderType?, price: FixedDecimal?, quantity: Int64?
        var validity: Validity?, validityTTL: Int64?, expireAt: Int64?, timestamp: Int64?
        var action: InstrumentAction?, instrument: Instrument?, reason: String?
        /// A foreign record's `action`, `instrument` or `reason` that did not read: an error only in an INSTRUMENT
        /// record; in another producer's order these are fields the exchange does not know, and ignored.
        var instrumentFieldError: RecordDecodingError?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            if index < extraFields {
                switch extras[index] {
                case .seq: extra.seq = try r.readPositive(field: "seq")
                case .sourceOffset:
                    extra.sourceOffset = try r.readOptionalInt64(field: "source_offset")
                    if let o = extra.sourceOffset, o < 0 { throw r.error("source_offset", "must not be negative") }
                case .originPartition:
                    let p = try r.readNonNegative(field: "origin_partition")
                    guard p <= Int64(Int32.max) else { throw r.error("origin_partition", "out of range") }
                    extra.originPartition = Int32(p)
                case .originOffset: extra.originOffset = try r.readNonNegative(field: "origin_offset")
                }
                continue
            }
            switch index - extraFields {
            case 0:
                kind = kinds[try r.readChoice(kindTable, field: "type")]
            case 1: orderId = try r.readIdentifier(field: "order_id")
            case 2: clientOrderId = try r.readOptionalString(field: "client_order_id")
            case 3: traderId = r.consumeNull() ? nil : try r.readIdentifier(field: "trader_id")
            case 4: symbol = try r.readSymbol(field: "stock_symbol")
            case 5: side = try r.readEnum(Side.self, field: "side")
            case 6: orderType = try r.readEnum(OrderType.self, field: "order_type")
            case 7: price = r.consumeNull() ? nil : try r.readPositiveDecimal(field: "price")
            case 8: quantity = try r.readPositive(field: "quantity")
            case 9: validity = try readValidity(&r)
            case 10: validityTTL = r.consumeNull() ? nil : try r.readPositive(field: "validity_ttl")
            case 11: expireAt = r.consumeNull() ? nil : try r.readNonNegative(field: "expire_at")
            case 12: timestamp = try r.readNonNegative(field: "timestamp")
            default:
                guard r.foreignForms else {
                    try Self.readInstrumentField(index - extraFields, &r, &action, &instrument, &reason)
                    continue
                }
                var probe = r
                do {
                    try Self.readInstrumentField(index - extraFields, &probe, &action, &instrument, &reason)
                    r = probe
                } catch {
                    if instrumentFieldError == nil { instrumentFieldError = error }
                    try r.skipValue(depth: 0)
                }
            }
        }
        if let id = clientOrderId, id.utf8.count > 128 { throw r.error("client_order_id", "longer than 128 bytes") }
        let base = extraFields
        func present(_ i: Int) -> Bool { seen & (1 << UInt64(i + base)) != 0 }
        /// Rejects fields that exist in the table but not for this kind of record.
        func rejectFields(_ indices: [Int], kindName: String) throws(RecordDecodingError) {
            for i in indices where present(i) {
                throw r.error(orderFieldNames[i], "not allowed in a \(kindName) record")
            }
        }
        guard let time = timestamp ?? rules.recordTimestamp else {
            throw r.error("timestamp", "missing required field")
        }
        if kind == .instrument, let instrumentFieldError { throw instrumentFieldError }
        // Only orders come from other producers; a TICK is the exchange's own clock's, and stays strict.
        if kind == .tick || (kind != .instrument && !r.foreignForms) {
            try rejectFields([13, 14, 15], kindName: kind == .tick ? "TICK" : "\(kind)".uppercased())
        }
        switch kind {
        case .tick:
            try rejectFields(Array(1...11), kindName: "TICK")
            return .tick(Tick(timestamp: time))
        case .instrument:
            try rejectFields([1, 2, 3, 5, 6, 7, 8, 9, 10, 11], kindName: "INSTRUMENT")
            return .instrument(try instrumentChange(&r, action, symbol, instrument, reason, time))
        case .cancel:
            try rejectFields([2, 6, 7, 8, 9, 10, 11], kindName: "CANCEL")
            return .cancel(
                CancelOrder(
                    orderId: try r.required(orderId, "order_id"), traderId: try r.required(traderId, "trader_id"),
                    stockSymbol: try r.required(symbol, "stock_symbol"), side: try r.required(side, "side"),
                    timestamp: time))
        case .modify:
            try rejectFields([2, 6, 9, 10, 11], kindName: "MODIFY")
            if price == nil && quantity == nil {
                throw r.error("price", "a MODIFY record needs a new price or quantity (or both)")
            }
            return .modify(
                ModifyOrder(
                    orderId: try r.required(orderId, "order_id"), traderId: try r.required(traderId, "trader_id"),
                    stockSymbol: try r.required(symbol, "stock_symbol"), side: try r.required(side, "side"),
                    price: price, quantity: quantity, timestamp: time))
        case .new:
            let orderType = try r.required(orderType, "order_type")
            let timeInForce: TimeInForce
            switch try r.required(validity, "time_in_force") {
            case .code(let code):
                timeInForce = code
            case .until(let instant):
                switch rules.dateTimeValidity {
                case .day:
                    timeInForce = .day
                case .gtd:
                    if expireAt != nil { throw r.error("expire_at", "not allowed when time_in_force is a date-time") }
                    timeInForce = .goodTillDate
                    expireAt = instant
                }
            }
            switch orderType {
            case .limit: if price == nil { throw r.error("price", "missing required field (LIMIT orders need a price)") }
            case .market: if price != nil { throw r.error("price", "not allowed for MARKET orders") }
            }
            if timeInForce == .timeToLive {
                if validityTTL == nil { throw r.error("validity_ttl", "missing required field (TTL orders need minutes)") }
            } else if validityTTL != nil {
                throw r.error("validity_ttl", "only allowed with time_in_force TTL")
            }
            if timeInForce == .goodTillDate {
                if expireAt == nil { throw r.error("expire_at", "missing required field (GTD orders need an instant, epoch ms)") }
            } else if expireAt != nil {
                throw r.error("expire_at", "only allowed with time_in_force GTD")
            }
            return .new(
                NewOrder(
                    orderId: try r.required(orderId, "order_id"), clientOrderId: clientOrderId, traderId: traderId,
                    stockSymbol: try r.required(symbol, "stock_symbol"), side: try r.required(side, "side"),
                    orderType: orderType, price: price, quantity: try r.required(quantity, "quantity"),
                    timeInForce: timeInForce, validityTTL: validityTTL, expireAt: expireAt, timestamp: time))
        }
    }
}

extension IncomingOrder {
    /// Reads `action` (13), `instrument` (14) or `reason` (15).
    private static func readInstrumentField(
        _ field: Int, _ r: inout JSONReader, _ action: inout InstrumentAction?, _ instrument: inout Instrument?, _ reason: inout String?
    ) throws(RecordDecodingError) {
        switch field {
        case 13: action = try r.readEnum(InstrumentAction.self, field: "action")
        case 14: instrument = try Instrument.read(from: &r)
        default: reason = try r.readOptionalString(field: "reason")
        }
    }

    /// An `INSTRUMENT` record's fields checked together: what each action needs, and a definition that can trade.
    fileprivate static func instrumentChange(
        _ r: inout JSONReader, _ action: InstrumentAction?, _ symbol: String?, _ instrument: Instrument?, _ reason: String?, _ time: Int64
    ) throws(RecordDecodingError) -> InstrumentChange {
        let action = try r.required(action, "action")
        let symbol = try r.required(symbol, "stock_symbol")
        if let reason, reason.utf8.count > 256 { throw r.error("reason", "longer than 256 bytes") }
        switch action {
        case .list, .set:
            let instrument = try r.required(instrument, "instrument")
            if instrument.symbol != symbol {
                throw r.error("instrument", "the definition is for \(instrument.symbol), the record for \(symbol)")
            }
            if instrument.status != .trading { throw r.error("instrument", "a \(action.rawValue) definition has no status") }
            if let problem = instrument.definitionProblem { throw r.error("instrument", problem) }
        case .halt, .resume, .delist:
            if instrument != nil { throw r.error("instrument", "not allowed in a \(action.rawValue) record") }
        }
        return InstrumentChange(action: action, stockSymbol: symbol, instrument: instrument, reason: reason, timestamp: time)
    }
}

extension Array where Element == UInt8 {
    /// `"order_id":…,"trader_id":…,"stock_symbol":…,"side":…` of cancels and modifies.
    mutating func appendOrderIdentity(_ orderId: String, traderId: String, symbol: String, side: Side) {
        appendLiteral("\"order_id\":")
        appendJSONString(orderId)
        appendLiteral(",\"trader_id\":")
        appendJSONString(traderId)
        appendLiteral(",\"stock_symbol\":")
        appendJSONString(symbol)
        appendSide(side)
    }

    @inline(__always)
    mutating func appendSide(_ side: Side) {
        appendLiteral(side == .buy ? ",\"side\":\"BUY\"" : ",\"side\":\"SELL\"")
    }

    @inline(__always)
    mutating func appendOrderType(_ type: OrderType) {
        appendLiteral(type == .limit ? ",\"order_type\":\"LIMIT\"" : ",\"order_type\":\"MARKET\"")
    }

    @inline(__always)
    mutating func appendTimeInForce(_ timeInForce: TimeInForce) {
        appendLiteral(",\"time_in_force\":\"")
        append(contentsOf: timeInForce.rawValue.utf8)
        append(UInt8(ascii: "\""))
    }
}
