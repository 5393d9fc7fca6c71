import ExchangeRecords
import Testing

/// `incoming_orders` values as producers the exchange did not write send them: the original order server's record
/// (docs/records.md, "Feeding the exchange from other producers").
@Suite struct ForeignRecordTests {
    /// The record the original Flask order server produces, byte for byte in its field order.
    static let original = #"{"order_id": "0b6c1f8e-4d0a-4b7e-9a51-2f3c8d9e7a10", "stock_symbol": "AAPL", "quantity": 8, "side": "SELL", "order_type": "limit", "price": 154.51, "time_in_force": "2023-03-13 00:50:12"}"#
    static let placed: Int64 = 1_678_668_612_000  // 2023-03-13T00:50:12Z

    @Test func theOriginalRecordIsAnUnattributedDayOrderAtTheKafkaTimestamp() throws {
        let rules = IncomingOrder.ReadingRules(recordTimestamp: 1_700_000_000_123)
        guard case .new(let order) = try IncomingOrder.decode(json: Self.original, rules: rules) else {
            Issue.record("not a new order")
            return
        }
        #expect(order.orderId == "0b6c1f8e-4d0a-4b7e-9a51-2f3c8d9e7a10")
        #expect(order.traderId == nil)
        #expect(order.stockSymbol == "AAPL")
        #expect(order.side == .sell)
        #expect(order.orderType == .limit)
        #expect(order.price == FixedDecimal("154.51"))
        #expect(order.quantity == 8)
        #expect(order.timeInForce == .day)
        #expect(order.expireAt == nil)
        #expect(order.timestamp == 1_700_000_000_123)
        // Canonical once read: what the splitter writes decodes strictly to the same order.
        let sequenced = SequencedOrder(seq: 1, order: .new(order))
        #expect(try SequencedOrder.decode(json: sequenced.encoded()) == sequenced)
        #expect(!sequenced.jsonString.contains("trader_id"))
    }

    @Test func aDateTimeValidityCanMeanGoodTillThatInstant() throws {
        let rules = IncomingOrder.ReadingRules(dateTimeValidity: .gtd, recordTimestamp: 1)
        guard case .new(let order) = try IncomingOrder.decode(json: Self.original, rules: rules) else {
            Issue.record("not a new order")
            return
        }
        #expect(order.timeInForce == .goodTillDate)
        #expect(order.expireAt == Self.placed)
        #expect(try IncomingOrder.decode(json: IncomingOrder.new(order).encoded()) == .new(order))
    }

    @Test func withoutAKafkaTimestampATimestamplessRecordIsRefused() {
        #expect(throws: RecordDecodingError(field: "timestamp", reason: "missing required field")) {
            try IncomingOrder.decode(json: Self.original)
        }
    }

    @Test(arguments: [
        #"{"order_id":"o","stock_symbol":"AAPL","quantity":1,"side":"buy","order_type":"limit","price":150.0,"time_in_force":"gtc","timestamp":5}"#,
        #"{"order_id":"o","stock_symbol":"AAPL","quantity":"1","side":"Buy","order_type":"Limit","price":"150.00","time_in_force":"Gtc","timestamp":"5"}"#,
        #"{"order_id":"o","stock_symbol":"AAPL","qty_note":{"a":[1,2,{"b":null}],"c":true},"quantity":1,"side":"BUY","order_type":"LIMIT","price":150,"time_in_force":"GTC","timestamp":5,"extra":"x"}"#,
        #"{"order_id":"o","trader_id":null,"stock_symbol":"AAPL","quantity":1,"side":"BUY","order_type":"LIMIT","price":150,"time_in_force":"GTC","timestamp":5}"#,
    ])
    func otherSpellingsOfTheSameOrder(json: String) throws {
        let expected = IncomingOrder.new(NewOrder(
            orderId: "o", traderId: nil, stockSymbol: "AAPL", side: .buy, orderType: .limit, price: FixedDecimal("150"),
            quantity: 1, timeInForce: .goodTillCanceled, timestamp: 5))
        #expect(try IncomingOrder.decode(json: json) == expected)
    }

    @Test(arguments: [
        ("2023-03-13 00:50:12", Int64(1_678_668_612_000)),
        ("2023-03-13T00:50:12", 1_678_668_612_000),
        ("2023-03-13T00:50:12Z", 1_678_668_612_000),
        ("2023-03-13T00:50:12.5Z", 1_678_668_612_500),
        ("2023-03-13T06:20:12+05:30", 1_678_668_612_000),
        ("2023-03-12T19:50:12-0500", 1_678_668_612_000),
        ("1970-01-01 00:00:00", 0),
        ("2024-02-29 12:00:00", 1_709_208_000_000),
    ])
    func dateTimes(text: String, millis: Int64) {
        #expect(DateTimeText.epochMilliseconds(text) == millis)
    }

    @Test(arguments: ["2023-02-29 00:00:00", "2023-13-01 00:00:00", "2023-03-13", "2023-03-13 24:00:00", "13/03/2023 00:50:12",
        "2023-03-13 00:50:12 ", "2023-03-13T00:50:12+25:00", "gtc-ish"])
    func notDateTimes(text: String) {
        #expect(DateTimeText.epochMilliseconds(text) == nil)
    }

    /// Each way an original-format record can be wrong names its field.
    @Test(arguments: [
        (#"{"order_id":"o","stock_symbol":"AAPL","quantity":"eight","side":"BUY","order_type":"limit","price":1,"time_in_force":"gtc","timestamp":1}"#,
         "quantity", "expected a number, found the string \"eight\""),
        (#"{"order_id":"o","stock_symbol":"AAPL","quantity":1,"side":"BUY","order_type":"limit","price":"154.5100001","time_in_force":"gtc","timestamp":1}"#,
         "price", "more than 6 fractional digits (prices are exact to 0.000001)"),
        (#"{"order_id":"o","stock_symbol":"AAPL","quantity":1,"side":"HOLD","order_type":"limit","price":1,"time_in_force":"gtc","timestamp":1}"#,
         "side", "'HOLD' is not one of BUY, SELL"),
        (#"{"order_id":"o","stock_symbol":"AAPL","quantity":1,"side":"BUY","order_type":"stop","price":1,"time_in_force":"gtc","timestamp":1}"#,
         "order_type", "'stop' is not one of LIMIT, MARKET"),
        (#"{"order_id":"o","stock_symbol":"AAPL","quantity":1,"side":"BUY","order_type":"limit","price":1,"time_in_force":"2023-02-30 10:00:00","timestamp":1}"#,
         "time_in_force", "'2023-02-30 10:00:00' is not one of GTC, DAY, IOC, FOK, TTL, GTD, nor a date-time (YYYY-MM-DD HH:MM:SS or ISO 8601)"),
        (#"{"order_id":"o","quantity":1,"side":"BUY","order_type":"limit","price":1,"time_in_force":"gtc","timestamp":1}"#,
         "stock_symbol", "missing required field"),
        (#"{"order_id":"o","stock_symbol":"AAPL","quantity":1,"side":"BUY","order_type":"limit","price":1,"time_in_force":"GTD","timestamp":1}"#,
         "expire_at", "missing required field (GTD orders need an instant, epoch ms)"),
        (#"{"order_id":"o","stock_symbol":"AAPL","quantity":1,"side":"BUY","order_type":"limit","price":1,"time_in_force":"DAY","expire_at":9,"timestamp":1}"#,
         "expire_at", "only allowed with time_in_force GTD"),
        (#"{"order_id":"o","stock_symbol":"AAPL","quantity":1,"side":"BUY","order_type":"limit","price":1,"time_in_force":"gtc","timestamp":1,"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
         nil, "an unknown field's value is nested more than 32 deep"),
    ])
    func badForeignRecordsNameTheField(json: String, field: String?, reason: String) {
        #expect(throws: RecordDecodingError(field: field, reason: reason)) { try IncomingOrder.decode(json: json) }
    }

    /// Unknown fields are walked over one after another, however many a value holds.
    /// `action`, `instrument` and `reason` mean something only in an INSTRUMENT record; another producer's order may
    /// carry fields of those names with any value, ignored like any field the exchange does not know.
    @Test func instrumentFieldNamesInAnOrderAreIgnored() throws {
        let json = #"{"order_id":"o","stock_symbol":"AAPL","quantity":8,"side":"BUY","order_type":"LIMIT","price":154.5,"#
            + #""time_in_force":"GTC","timestamp":1,"action":"open","reason":{"code":7},"instrument":"AAPL"}"#
        guard case .new(let order) = try IncomingOrder.decode(json: json) else {
            Issue.record("not a new order")
            return
        }
        #expect(order.orderId == "o" && order.quantity == 8)
        // In an INSTRUMENT record they are read, and a bad one is still named.
        let instrumentError = #expect(throws: RecordDecodingError.self) {
            try IncomingOrder.decode(json: #"{"type":"INSTRUMENT","action":"open","stock_symbol":"AAPL","timestamp":1}"#)
        }
        #expect(instrumentError?.field == "action")
        // The strict reading of the exchange's own topics still refuses them in an order.
        let strictError = #expect(throws: RecordDecodingError.self) {
            try SequencedOrder.decode(json: Array(#"{"seq":1,"#.utf8) + Array(json.utf8.dropFirst()))
        }
        #expect(strictError?.field == "action")
    }

    @Test func thousandsOfUnknownFieldsAreSkipped() throws {
        let unknown = (0..<7_000).map { #""u\#($0 % 100)x":0"# }.joined(separator: ",")
        let json = #"{"order_id":"o",\#(unknown),"stock_symbol":"AAPL","quantity":1,"side":"BUY","order_type":"MARKET","time_in_force":"IOC","timestamp":5}"#
        #expect(json.utf8.count < 64 * 1024)
        #expect(try IncomingOrder.decode(json: json).orderId == "o")
    }

    @Test func aForwardedRecordKeepsItsOrigin() throws {
        let order = IncomingOrder.new(NewOrder(
            orderId: "o", traderId: nil, stockSymbol: "FB", side: .sell, orderType: .market, price: nil, quantity: 3,
            timeInForce: .immediateOrCancel, timestamp: 9))
        var bytes: [UInt8] = []
        order.encode(into: &bytes, origin: IncomingOrder.Origin(partition: 2, offset: 41))
        let decoded = try bytes.withUnsafeBytes { try IncomingOrder.decodeForwarded(json: $0, rules: .init()) }
        #expect(decoded.order == order)
        #expect(decoded.origin == IncomingOrder.Origin(partition: 2, offset: 41))
        #expect(try IncomingOrder.decode(json: bytes) == order)
    }

    /// Kafka's default partitioner for a keyed record (Java's murmur2), as kafka-python computes it.
    @Test func symbolsHaveKafkasDefaultPartition() {
        // kafka.partitioner.default.murmur2(...) & 0x7fffffff: AAPL 1691292177, GOOG 2144222649, TSLA 866263391,
        // AMZN 658773641, FB 426462529, MSFT 251987202.
        #expect(["AAPL", "GOOG", "TSLA", "AMZN", "FB", "MSFT"].map { Topology.partition(ofSymbol: $0, partitions: 3) } == [0, 0, 2, 2, 1, 0])
        #expect(["AAPL", "TSLA", "MSFT"].map { Topology.partition(ofSymbol: $0, partitions: 2) } == [1, 1, 0])
        let hashes: [Int64] = [1_691_292_177, 2_144_222_649, 866_263_391, 658_773_641, 426_462_529, 251_987_202]
        let symbols = ["AAPL", "GOOG", "TSLA", "AMZN", "FB", "MSFT"]
        let large: [Int32] = symbols.map { Topology.partition(ofSymbol: $0, partitions: 1_000_003) }
        #expect(large == hashes.map { Int32($0 % 1_000_003) })
        #expect(Topology.partition(ofSymbol: "AAPL", partitions: 1) == 0)
    }
}
