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
        (#"{"type":"TICK","timestamp":1,"timestamp":2}"#, "timestamp", "duplicate field"),
        (#"{"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":1.0000001,"quantity":1,"time_in_force":"GTC","timestamp":1}"#,
         "price", "more than 6 fractional digits (prices are exact to 0.000001)"),
        (#"{"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":1,"quantity":-1,"time_in_force":"GTC","timestamp":1}"#,
         "quantity", "must be positive, got -1"),
        (#"{"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":1,"quantity":1,"time_in_force":"TTL","timestamp":1}"#,
         "validity_ttl", "missing required field (TTL orders need minutes)"),
    ])
    func fieldErrorsNameTheField(json: String, field: String, reason: String) {
        #expect(throws: RecordDecodingError(field: field, reason: reason)) { try IncomingOrder.decode(json: json) }
    }

    /// The split topics are written by the splitter alone, so they keep the strict forms `incoming_orders` relaxes
    /// for other producers (ForeignRecordTests).
    @Test(arguments: [
        (#"{"seq":1,"type":"TICK","timestamp":1,"bogus":1}"#, "bogus", "unknown field"),
        (#"{"seq":1,"type":"TICK","timestamp":"1"}"#, "timestamp", "expected an integer, found a string (numbers are not quoted)"),
        (#"{"seq":1,"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":"1","quantity":1,"time_in_force":"GTC","timestamp":1}"#,
         "price", "expected a decimal number, found a string (numbers are not quoted)"),
        (#"{"seq":1,"order_id":"o","trader_id":"t","stock_symbol":"A","side":"buy","order_type":"LIMIT","price":1,"quantity":1,"time_in_force":"GTC","timestamp":1}"#,
         "side", "'buy' is not one of BUY, SELL"),
        (#"{"seq":1,"order_id":"o","trader_id":"t","stock_symbol":"A","side":"BUY","order_type":"LIMIT","price":1,"quantity":1,"time_in_force":"2023-03-13 00:50:12","timestamp":1}"#,
         "time_in_force", "'2023-03-13 00:50:12' is not one of GTC, DAY, IOC, FOK, TTL, GTD"),
    ])
    func splitTopicsStayStrict(json: String, field: String, reason: String) {
        #expect(throws: RecordDecodingError(field: field, reason: reason)) { try SequencedOrder.decode(json: json) }
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
    /// Reports repeat the order's terms, so a reader that never saw the order placed can show it whole.
    @Test func executionReportCarriesTheOrdersTerms() throws {
        let report = ExecutionReport(
            orderId: "o-1", clientOrderId: "my-1", traderId: "t-1", symbol: "AAPL", side: .sell, orderType: .limit,
            timeInForce: .timeToLive, validityTTL: 5, status: .partiallyFilled, price: FixedDecimal("160.25"),
            quantity: 10, filledQuantity: 4, leavesQuantity: 6, lastPrice: FixedDecimal("160.25"), lastQuantity: 4,
            tradeId: "0-3", seq: 9, orderTimestamp: 1_700_000_000_000, timestamp: 1_700_000_000_500)
        let json = report.jsonString
        #expect(
            json
                == #"{"order_id":"o-1","client_order_id":"my-1","trader_id":"t-1","symbol":"AAPL","side":"SELL","order_type":"LIMIT","time_in_force":"TTL","validity_ttl":5,"status":"PARTIALLY_FILLED","price":160.25,"quantity":10,"filled_quantity":4,"leaves_quantity":6,"last_price":160.25,"last_quantity":4,"trade_id":"0-3","seq":9,"order_timestamp":1700000000000,"timestamp":1700000000500}"#
        )
        #expect(try ExecutionReport.decode(json: json) == report)
        let market = ExecutionReport(
            orderId: "o-2", traderId: "t-1", symbol: "AAPL", side: .buy, orderType: .market, timeInForce: .immediateOrCancel,
            status: .canceled, price: nil, quantity: 3, filledQuantity: 0, leavesQuantity: 0, seq: 10, orderTimestamp: 0,
            timestamp: 1)
        #expect(market.jsonString.contains(#""order_type":"MARKET","time_in_force":"IOC","status""#))
        #expect(try ExecutionReport.decode(json: market.encoded()) == market)
    }

    /// `execution_reports` may hold records written before the terms were added: they still decode, without them.
    @Test func executionReportWithoutTermsStillDecodes() throws {
        let old = #"{"order_id":"o-1","trader_id":"t-1","symbol":"AAPL","side":"BUY","status":"NEW","price":160.25,"quantity":10,"filled_quantity":0,"leaves_quantity":10,"seq":1,"timestamp":1700000000000}"#
        let report = try ExecutionReport.decode(json: old)
        #expect(report.orderType == nil && report.timeInForce == nil && report.validityTTL == nil)
        #expect(report.clientOrderId == nil && report.orderTimestamp == nil)
        #expect(report.quantity == 10 && report.status == .new && report.price == FixedDecimal("160.25"))
        #expect(report.jsonString == old)
        let nulls = #"{"order_id":"o","trader_id":"t","symbol":"A","side":"BUY","order_type":null,"time_in_force":null,"validity_ttl":null,"status":"NEW","quantity":1,"filled_quantity":0,"leaves_quantity":1,"seq":1,"order_timestamp":null,"timestamp":0}"#
        #expect(try ExecutionReport.decode(json: nulls).orderType == nil)
    }

    @Test(arguments: [
        (#""order_type":"STOP""#, "order_type"), (#""time_in_force":"GTX""#, "time_in_force"),
        (#""validity_ttl":0"#, "validity_ttl"), (#""order_timestamp":-1"#, "order_timestamp"), (#""expire_at":-5"#, "expire_at"),
    ])
    func executionReportTermsAreChecked(field: String, name: String) throws {
        let json = #"{"order_id":"o","trader_id":"t","symbol":"A","side":"BUY","#
            + field + #","status":"NEW","quantity":1,"filled_quantity":0,"leaves_quantity":1,"seq":1,"timestamp":0}"#
        let error = try #require(throws: RecordDecodingError.self) { try ExecutionReport.decode(json: json) }
        #expect(error.field == name)
    }
}
