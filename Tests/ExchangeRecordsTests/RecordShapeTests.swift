import ExchangeRecords
import ExchangeRecordsReference
import Foundation
import Testing

/// Field-name lists, keys, limits, nested errors, escapes and dead-letter payloads.
@Suite struct RecordShapeTests {
    /// The keys an encoded record really carries.
    func keys(_ bytes: [UInt8]) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        return Set(object?.keys.map { $0 } ?? [])
    }

    @Test func fieldNamesListExactlyWhatTheEncodersWrite() throws {
        var g = SplitMix64(seed: 7)
        var seen: [String: Set<String>] = [:]
        for _ in 0..<400 {
            let records: [(String, [UInt8])] = [
                (Topology.incomingOrders.name, RandomRecords.incoming(&g).encoded()),
                (Topology.incomingOrders.name, forwarded(RandomRecords.incoming(&g))),
                (Topology.buyOrders.name, RandomRecords.sequenced(&g).encoded()),
                (Topology.matchedTrades.name, RandomRecords.trade(&g).encoded()),
                (Topology.executionReports.name, RandomRecords.report(&g).encoded()),
                (Topology.smaHoppingTable.name, RandomRecords.sma(&g).encoded()),
                (Topology.stockProfit.name, RandomRecords.profit(&g).encoded()),
                (Topology.topProfit.name, RandomRecords.top(&g).encoded()),
                (Topology.instruments.name, RandomRecords.instrument(&g).encoded()),
                (Topology.deadLetters.name, RandomRecords.deadLetter(&g).encoded()),
            ]
            for (topic, bytes) in records { seen[topic, default: []].formUnion(try keys(bytes)) }
        }
        for (topic, written) in seen {
            let listed = try #require(Topology.fieldNames(of: topic))
            #expect(Set(listed) == written, "\(topic)")
            #expect(listed.count == Set(listed).count, "\(topic) lists a name twice")
        }
        #expect(Topology.fieldNames(of: Topology.sellOrders.name) == SequencedOrder.fieldNames)
        #expect(Topology.fieldNames(of: "nope") == nil)
        #expect(ProfitRankingEntry.fieldNames == ["STOCK_SYMBOL", "PROFIT", "PROFIT_PCT"])
        let internalTopics = [Topology.matchedTradesTicks, Topology.topProfitPartials]
        #expect(Topology.data.filter { !internalTopics.contains($0) }.allSatisfy { Topology.fieldNames(of: $0.name) != nil })
    }

    @Test func nestedErrorsNameThePath() {
        let json = #"{"WINDOW_START":0,"WINDOW_END":1,"STOCK_SYMBOL":"A","PROFIT":1,"PROFIT_PCT":1,"RANKING":[{"STOCK_SYMBOL":"A","PROFIT":1,"PROFIT_PCT":1},{"STOCK_SYMBOL":"B","PROFIT":"x","PROFIT_PCT":1}]}"#
        #expect(throws: RecordDecodingError(field: "RANKING[1].PROFIT", reason: "expected a decimal number, found a string (numbers are not quoted)")) {
            try TopProfit.decode(json: json)
        }
        let missing = #"{"WINDOW_START":0,"WINDOW_END":1,"STOCK_SYMBOL":"A","PROFIT":1,"PROFIT_PCT":1,"RANKING":[{"PROFIT":1,"PROFIT_PCT":1}]}"#
        #expect(throws: RecordDecodingError(field: "RANKING[0].STOCK_SYMBOL", reason: "missing required field")) {
            try TopProfit.decode(json: missing)
        }
        #expect(throws: RecordDecodingError(field: "RANKING", reason: "expected an array, found an object")) {
            try TopProfit.decode(json: #"{"RANKING":{}}"#)
        }
    }

    @Test func oversizedRecordsAreRefusedBeforeParsing() {
        let big = #"{"type":"TICK","timestamp":1,"x":""# + String(repeating: "a", count: 70_000) + #""}"#
        #expect(throws: RecordDecodingError(field: nil, reason: "record is \(big.utf8.count) bytes; the limit is 65536")) {
            try IncomingOrder.decode(json: big)
        }
    }

    @Test func stringsAreEscapedAndUnescapedExactly() throws {
        let tricky = "q\"b\\s/n\nt\tc\u{01}\u{1F}é😀\u{2028}\u{7F}"
        let report = ExecutionReport(
            orderId: "o", traderId: "t", symbol: "AAPL", side: .buy, status: .rejected, reason: tricky, price: nil,
            quantity: 1, filledQuantity: 0, leavesQuantity: 0, seq: 1, timestamp: 0)
        let json = report.jsonString
        #expect(json.contains(#""reason":"q\"b\\s/n\nt\tc\u0001\u001fé😀"#))
        #expect(try ExecutionReport.decode(json: json) == report)
        let escaped = #"{"type":"TICK","time\u0073tamp":5}"#
        #expect(try IncomingOrder.decode(json: escaped) == .tick(Tick(timestamp: 5)))
    }

    @Test(arguments: [
        [UInt8](#"{"order_id":"o"#.utf8) + [0xC3, 0x28] + [UInt8](#"","trader_id":"t","symbol":"A","side":"BUY","status":"NEW","quantity":1,"filled_quantity":0,"leaves_quantity":1,"seq":1,"timestamp":0}"#.utf8),
        [UInt8](#"{"order_id":"\ud800","trader_id":"t","symbol":"A","side":"BUY","status":"NEW","quantity":1,"filled_quantity":0,"leaves_quantity":1,"seq":1,"timestamp":0}"#.utf8),
        [UInt8](#"{"order_id":"\x","trader_id":"t","symbol":"A","side":"BUY","status":"NEW","quantity":1,"filled_quantity":0,"leaves_quantity":1,"seq":1,"timestamp":0}"#.utf8),
        [UInt8](#"{"order_id":"a"#.utf8) + [0x0A] + [UInt8](#"","trader_id":"t","symbol":"A","side":"BUY","status":"NEW","quantity":1,"filled_quantity":0,"leaves_quantity":1,"seq":1,"timestamp":0}"#.utf8),
    ])
    func badStringsAreRejectedNamingTheField(json: [UInt8]) throws {
        let error = try #require(throws: RecordDecodingError.self) { try ExecutionReport.decode(json: json) }
        #expect(error.field == "order_id")
    }

    @Test func deadLettersKeepAnyPayload() throws {
        let binary: [UInt8] = [0xFF, 0x00, 0xC3, 0x28, 0x41]
        let letter = DeadLetter(
            sourceTopic: Topology.incomingOrders.name, sourcePartition: 3, sourceOffset: 99, rawPayload: binary,
            reason: "not JSON", stage: "split", timestamp: 5)
        #expect(letter.payloadEncoding == .base64 && letter.payload == "/wDDKEE=")
        let decoded = try DeadLetter.decode(json: letter.encoded())
        #expect(decoded == letter && decoded.rawPayload == binary)
        let text = DeadLetter(
            sourceTopic: "t", sourcePartition: 0, sourceOffset: 0, rawPayload: Array("{bad".utf8), reason: "r",
            stage: "s", timestamp: 0)
        #expect(text.payloadEncoding == .utf8 && text.payload == "{bad" && text.rawPayload == Array("{bad".utf8))
        #expect(Base64.decode("/wDDKE=") == nil && Base64.decode("/w=DDKEE") == nil && Base64.decode("") == [])
    }

    @Test func windowKeysRoundTrip() throws {
        let key = RecordKey.window(symbol: "AAPL", windowStart: 1_700_000_100_000)
        #expect(key == "AAPL@1700000100000")
        let parsed = try RecordKey.parseWindow(key)
        #expect(parsed.symbol == "AAPL" && parsed.windowStart == 1_700_000_100_000)
        #expect(RecordKey.window(start: 42) == "42" && RecordKey.symbol("FB") == Array("FB".utf8))
        for bad in ["AAPL", "@1", "AAPL@", "AAPL@x1", "AAPL@+1"] {
            #expect(throws: RecordDecodingError.self) { try RecordKey.parseWindow(bad) }
        }
    }

    @Test func symbolsThatWouldBreakKeysAreRefused() {
        for symbol in ["A@B", "A B", "", String(repeating: "A", count: 33)] {
            let json = #"{"type":"CANCEL","order_id":"o","trader_id":"t","stock_symbol":"\#(symbol)","side":"BUY","timestamp":1}"#
            let error = try? #require(throws: RecordDecodingError.self) { try IncomingOrder.decode(json: json) }
            #expect(error?.field == "stock_symbol", "\(symbol)")
        }
    }

    /// A record as the splitter forwards it to its symbol's partition.
    func forwarded(_ order: IncomingOrder) -> [UInt8] {
        var bytes: [UInt8] = []
        order.encode(into: &bytes, origin: IncomingOrder.Origin(partition: 1, offset: 7))
        return bytes
    }
}
