import ExchangeRecords
import Testing

@Suite struct RecordCodecTests {
    @Test func newOrderEncodesDeterministicallyAndDecodes() throws {
        let order = IncomingOrder.new(
            NewOrder(
                orderId: "o-1", traderId: "t-1", stockSymbol: "AAPL", side: .buy, orderType: .limit,
                price: FixedDecimal("160.25"), quantity: 10, timeInForce: .goodTillCanceled, timestamp: 1_700_000_000_000))
        let json = order.jsonString
        #expect(
            json
                == #"{"order_id":"o-1","trader_id":"t-1","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.25,"quantity":10,"time_in_force":"GTC","timestamp":1700000000000}"#
        )
        #expect(try IncomingOrder.decode(json: json) == order)
    }

    @Test func typeNewIsAcceptedAndFieldOrderIsFree() throws {
        let json = #"{"timestamp":5,"type":"NEW","quantity":3,"side":"SELL","order_type":"MARKET","trader_id":"t","order_id":"o","time_in_force":"IOC","stock_symbol":"FB"}"#
        guard case .new(let o) = try IncomingOrder.decode(json: json) else {
            Issue.record("not a new order")
            return
        }
        #expect(o.price == nil && o.quantity == 3 && o.side == .sell && o.timeInForce == .immediateOrCancel)
    }

    @Test func cancelModifyTickRoundTrip() throws {
        let records: [IncomingOrder] = [
            .cancel(CancelOrder(orderId: "o", traderId: "t", stockSymbol: "GOOG", side: .sell, timestamp: 1)),
            .modify(ModifyOrder(orderId: "o", traderId: "t", stockSymbol: "GOOG", side: .buy, quantity: 4, timestamp: 2)),
            .tick(Tick(timestamp: 3)),
        ]
        for record in records {
            #expect(try IncomingOrder.decode(json: record.encoded()) == record)
            let sequenced = SequencedOrder(seq: 7, sourceOffset: 42, order: record)
            #expect(try SequencedOrder.decode(json: sequenced.encoded()) == sequenced)
        }
        #expect(IncomingOrder.tick(Tick(timestamp: 3)).jsonString == #"{"type":"TICK","timestamp":3}"#)
    }

    @Test(arguments: [
        (#"{"type":"TICK","timestamp":1,"price":3}"#, "price", "not allowed in a TICK record"),
        (#"{"type":"TICK"}"#, "timestamp", "missing required field"),
        (#"{"type":"TICK","timestamp":1,"bogus":1}"#, "bogus", "unknown field"),
        (#"{"type":"TICK","timestamp":1,"timestamp":2}"#, "timestamp", "duplicate field"),
        (#"{"type":"TICK","timestamp":"1"}"#, "timestamp", "expected an integer, found a string (numbers are not quoted)"),
        (#"{"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":1.0000001,"quantity":1,"time_in_force":"GTC","timestamp":1}"#,
         "price", "more than 6 fractional digits (prices are exact to 0.000001)"),
        (#"{"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":"1","quantity":1,"time_in_force":"GTC","timestamp":1}"#,
         "price", "expected a decimal number, found a string (numbers are not quoted)"),
        (#"{"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":1,"quantity":-1,"time_in_force":"GTC","timestamp":1}"#,
         "quantity", "must be positive, got -1"),
        (#"{"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":1,"quantity":1,"time_in_force":"TTL","timestamp":1}"#,
         "validity_ttl", "missing required field (TTL orders need minutes)"),
        (#"{"order_id":"o","trader_id":"t","stock_symbol":"A","side":"buy","order_type":"LIMIT","price":1,"quantity":1,"time_in_force":"GTC","timestamp":1}"#,
         "side", "'buy' is not one of BUY, SELL"),
    ])
    func fieldErrorsNameTheField(json: String, field: String, reason: String) {
        #expect(throws: RecordDecodingError(field: field, reason: reason)) { try IncomingOrder.decode(json: json) }
    }

    @Test(arguments: ["", "{", "[]", "null", #"{"type":"TICK","timestamp":1} x"#, #"{"type":"TICK","timestamp":1,}"#,
        #"{"type":"TICK" "timestamp":1}"#, "\u{FEFF}{}", #"{"type":"TICK","timestamp":01}"#])
    func malformedJSONIsRejected(json: String) {
        #expect(throws: RecordDecodingError.self) { try IncomingOrder.decode(json: json) }
    }

    /// A top-level value that is not an object is named for what it is, and text that merely starts like a literal
    /// is a syntax error (so a dead letter for `not json` does not say it found `null`).
    @Test(arguments: [
        ("null", "expected a JSON object, found null"),
        ("true", "expected a JSON object, found a boolean"),
        ("[1]", "expected a JSON object, found an array"),
        ("not json", "invalid JSON at byte 0: expected '{', found 'n'"),
        ("tru", "invalid JSON at byte 0: expected '{', found 't'"),
        ("fals", "invalid JSON at byte 0: expected '{', found 'f'"),
    ])
    func topLevelValueErrorsSayWhatWasFound(json: String, reason: String) {
        #expect(throws: RecordDecodingError(field: nil, reason: reason)) { try IncomingOrder.decode(json: json) }
    }

    @Test(arguments: [
        ("160", Int64(160_000_000)), ("160.25", 160_250_000), ("-0.5", -500_000), ("0.000001", 1), ("1.5e2", 150_000_000),
        ("12E-1", 1_200_000), ("1.2500000", 1_250_000), ("-0", 0), ("9223372036854.775807", Int64.max),
    ])
    func decimalsParseExactly(text: String, micros: Int64) {
        #expect(FixedDecimal(text)?.micros == micros)
    }

    @Test(arguments: ["1e-7", "9223372036854.775808", "NaN", "Infinity", "1.", ".5", "+1", "01", "1e999999999999", " 1x"])
    func badDecimalsAreRejected(text: String) {
        #expect(FixedDecimal(text) == nil)
    }

    @Test(arguments: [(Int64(160_000_000), "160"), (160_250_000, "160.25"), (-500_000, "-0.5"), (1, "0.000001"), (0, "0"),
        (Int64.min, "-9223372036854.775808")])
    func decimalsEncodeMinimally(micros: Int64, text: String) {
        #expect(FixedDecimal(micros: micros).description == text)
    }
}
