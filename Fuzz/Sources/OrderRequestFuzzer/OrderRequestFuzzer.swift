import ExchangeRecords
import FuzzSupport
import Gateway

/// The order-request parser (`POST /v1/orders`, `PUT /v1/orders/{id}`) against the seed instruments and one at
/// the edges of the number range. What it accepts must obey the instrument's rules, and a placement must become
/// an `incoming_orders` record that the splitter decodes back to the same order.
let instruments = InstrumentRules.seed + [
    InstrumentRules(
        symbol: "EDGE", name: "Edge", tickSizeMicros: 1, lotSize: 1, referencePriceMicros: 1, lowerBandMicros: 1,
        upperBandMicros: Int64.max, maxOrderQuantity: Int64.max)
]
let parser = OrderRequestParser(instruments: InstrumentTable(instruments))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOrderRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = fuzzInput(data, size)
    if let placement = try? parser.parsePlacement(body) { check(placement) }
    for instrument in [instruments[0], instruments[instruments.count - 1]] {
        guard let change = try? parser.parseModification(body, instrument: instrument) else { continue }
        require(change.price != nil || change.quantity != nil, "a modification without price and quantity")
        if let price = change.price { check(price: price, instrument) }
        if let quantity = change.quantity { check(quantity: quantity, instrument) }
    }
    return 0
}

func check(_ p: OrderRequestParser.Placement) {
    guard let instrument = parser.instruments[p.symbol] else { fatalError("placed an unknown symbol \(p.symbol)") }
    check(quantity: p.quantity, instrument)
    switch p.type {
    case .limit:
        guard let price = p.priceMicros else { fatalError("a LIMIT placement without price") }
        check(price: price, instrument)
    case .market: require(p.priceMicros == nil, "a MARKET placement with a price")
    }
    require((p.timeInForce == .timeToLive) == (p.validityTTL != nil), "validity_ttl \(String(describing: p.validityTTL)) with \(p.timeInForce)")
    if let ttl = p.validityTTL { require(1...OrderRequestParser.maxTTLMinutes ~= ttl, "validity_ttl \(ttl)") }
    require((p.timeInForce == .goodTillDate) == (p.expireAt != nil), "expire_at \(String(describing: p.expireAt)) with \(p.timeInForce)")
    if let expireAt = p.expireAt { require(1...OrderRequestParser.latestExpiry ~= expireAt, "expire_at \(expireAt)") }

    let record = IncomingOrder.new(NewOrder(
        orderId: "0b9e2f5c-3f1e-4a57-8d0c-2f9a1b6c7d8e", clientOrderId: p.clientOrderId, traderId: "alice", stockSymbol: p.symbol, side: p.side,
        orderType: p.type, price: p.priceMicros.map(FixedDecimal.init(micros:)), quantity: p.quantity, timeInForce: p.timeInForce,
        validityTTL: p.validityTTL, expireAt: p.expireAt, timestamp: 1_700_000_000_000))
    let bytes = record.encoded()
    do {
        let decoded = try IncomingOrder.decode(json: bytes)
        require(decoded == record, "placement \(p) became \(text(bytes)), which decodes to \(decoded)")
    } catch {
        fatalError("placement \(p) became \(text(bytes)), which the splitter refuses: \(error)")
    }
}

func check(price: Int64, _ instrument: InstrumentRules) {
    require(price > 0 && price % instrument.tickSizeMicros == 0, "price \(price) off the tick grid of \(instrument.symbol)")
    require(instrument.lowerBandMicros...instrument.upperBandMicros ~= price, "price \(price) outside the band of \(instrument.symbol)")
}

func check(quantity: Int64, _ instrument: InstrumentRules) {
    require(
        quantity > 0 && quantity <= instrument.maxOrderQuantity && quantity % instrument.lotSize == 0,
        "quantity \(quantity) breaks the rules of \(instrument.symbol)")
}

@_cdecl("OrderRequestFuzzer_main")
public func OrderRequestFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzOrderRequest)
}
