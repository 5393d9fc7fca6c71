import ExchangeRecords
import ExchangeStreams
import Foundation
import MatchingEngine
import Testing

@Suite struct EngineReplayTests {
    func replay(_ lines: [String], stp: SelfTradePrevention = .cancelIncoming) -> [String] {
        var replay = EngineReplay(engine: Engine(instruments: InstrumentCatalog.seed, configuration: EngineConfiguration(selfTradePrevention: stp)))
        return lines.map { String(decoding: replay.process(line: Array($0.utf8)), as: UTF8.self) }
    }

    @Test func tradesAndReportsUseTheWireRecords() throws {
        let out = replay([
            #"{"order_id":"s-1","trader_id":"bob","stock_symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":160.25,"quantity":10,"time_in_force":"GTC","timestamp":1000}"#,
            #"{"order_id":"b-1","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.30,"quantity":4,"time_in_force":"IOC","timestamp":2000}"#,
        ])
        #expect(out[0] == #"{"line":1,"events":[{"topic":"execution_reports","key":"AAPL","value":{"order_id":"s-1","trader_id":"bob","symbol":"AAPL","side":"SELL","order_type":"LIMIT","time_in_force":"GTC","status":"NEW","price":160.25,"quantity":10,"filled_quantity":0,"leaves_quantity":10,"seq":1,"order_timestamp":1000,"timestamp":1000}}]}"#)
        #expect(out[1].contains(#"{"topic":"matched_trades","key":"AAPL","value":{"TRADE_ID":"0-1","BUY_ORDER_ID":"b-1","SELL_ORDER_ID":"s-1","BUY_STOCK_SYMBOL":"AAPL","PRICE":160.25,"BUY_PRICE":160.3,"SELL_PRICE":160.25,"QUANTITY":4,"BUY_TRADER_ID":"amy","SELL_TRADER_ID":"bob","AGGRESSOR_SIDE":"BUY","TRADE_TIME":2000,"SEQ":1}}"#))
        #expect(out[1].contains(#""order_id":"s-1","trader_id":"bob","symbol":"AAPL","side":"SELL","status":"PARTIALLY_FILLED","price":160.25,"quantity":10,"filled_quantity":4,"leaves_quantity":6,"last_price":160.25,"last_quantity":4,"trade_id":"0-1","seq":4,"timestamp":2000}"#))
        #expect(out[1].contains(#""order_id":"b-1","trader_id":"amy","symbol":"AAPL","side":"BUY","order_type":"LIMIT","time_in_force":"IOC","status":"NEW","#))
    }

    /// The `execution_reports` values of one output line, in order.
    func reports(_ line: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let events = object?["events"] as? [[String: Any]] ?? []
        return events.filter { $0["topic"] as? String == Topology.executionReports.name }.compactMap { $0["value"] as? [String: Any] }
    }

    /// The reports of the record that places an order carry its terms, whatever their status; the order's later
    /// reports (fill as a resting order, modify, expiry, cancel) and the reports of other orders do not.
    @Test func onlyTheReportsOfThePlacingRecordCarryTheOrdersTerms() throws {
        let terms = ["client_order_id", "order_type", "time_in_force", "validity_ttl", "order_timestamp"]
        let out = replay([
            #"{"order_id":"s-1","client_order_id":"mine","trader_id":"bob","stock_symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":160.25,"quantity":10,"time_in_force":"TTL","validity_ttl":5,"timestamp":1000}"#,
            #"{"order_id":"b-1","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.25,"quantity":4,"time_in_force":"GTC","timestamp":2000}"#,
            #"{"type":"MODIFY","order_id":"s-1","trader_id":"bob","stock_symbol":"AAPL","side":"SELL","quantity":8,"timestamp":3000}"#,
            #"{"type":"TICK","timestamp":302000}"#,
            #"{"order_id":"r-1","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":150,"quantity":1,"time_in_force":"GTC","timestamp":303000}"#,
            #"{"type":"CANCEL","order_id":"r-1","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","timestamp":304000}"#,
            #"{"order_id":"m-1","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"MARKET","quantity":1,"time_in_force":"IOC","timestamp":305000}"#,
            #"{"order_id":"x-1","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.255,"quantity":1,"time_in_force":"DAY","timestamp":306000}"#,
        ])
        let placed = try reports(out[0])
        #expect(placed.map { $0["status"] as? String } == ["NEW"])
        #expect(placed[0]["client_order_id"] as? String == "mine" && placed[0]["order_type"] as? String == "LIMIT")
        #expect(placed[0]["time_in_force"] as? String == "TTL" && placed[0]["validity_ttl"] as? Int == 5)
        #expect(placed[0]["order_timestamp"] as? Int == 1000)

        let crossing = try reports(out[1])
        #expect(crossing.map { "\($0["order_id"] ?? "")" } == ["b-1", "b-1", "s-1"])
        for report in crossing where report["order_id"] as? String == "b-1" {
            #expect(report["order_type"] as? String == "LIMIT" && report["time_in_force"] as? String == "GTC")
            #expect(report["order_timestamp"] as? Int == 2000 && report["validity_ttl"] == nil && report["client_order_id"] == nil)
        }
        let later = try crossing.filter { $0["order_id"] as? String == "s-1" } + (2...3).flatMap { try reports(out[$0]) } + reports(out[5])
        #expect(later.map { $0["status"] as? String } == ["PARTIALLY_FILLED", "REPLACED", "EXPIRED", "CANCELED"])
        #expect(later.allSatisfy { report in terms.allSatisfy { report[$0] == nil } })

        // Whatever the first report says: NEW, a market order's end for want of liquidity, a rejection.
        for (line, type, timestamp) in [(4, "LIMIT", 303000), (6, "MARKET", 305000), (7, "LIMIT", 306000)] {
            let first = try reports(out[line])
            #expect(!first.isEmpty && first.allSatisfy { $0["order_type"] as? String == type && $0["order_timestamp"] as? Int == timestamp })
        }
        #expect(try reports(out[7]).first?["status"] as? String == "REJECTED")
    }

    /// The refusal of a duplicate order id names the order that has the id: the refused record's terms are not its.
    @Test func aDuplicateIdsRefusalCarriesNoTerms() throws {
        let out = replay([
            #"{"order_id":"s-1","trader_id":"bob","stock_symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":160.25,"quantity":2,"time_in_force":"GTC","timestamp":1000}"#,
            #"{"order_id":"s-1","client_order_id":"again","trader_id":"bob","stock_symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":161,"quantity":1,"time_in_force":"DAY","timestamp":2000}"#,
        ])
        let refusal = try reports(out[1])
        #expect(refusal.map { $0["status"] as? String } == ["REJECTED"])
        #expect(refusal.first?["order_type"] == nil && refusal.first?["client_order_id"] == nil && refusal.first?["order_timestamp"] == nil)
    }

    /// Orders a new order cancels for self-trade prevention report without the new order's terms.
    @Test func selfTradeCancelsOfRestingOrdersCarryNoTerms() throws {
        let out = replay([
            #"{"order_id":"s-1","trader_id":"amy","stock_symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":160.25,"quantity":2,"time_in_force":"GTC","timestamp":1000}"#,
            #"{"order_id":"b-1","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.25,"quantity":1,"time_in_force":"DAY","timestamp":2000}"#,
        ], stp: .cancelResting)
        let reports = try reports(out[1])
        #expect(reports.map { "\($0["order_id"] ?? "")/\($0["status"] ?? "")" } == ["b-1/NEW", "s-1/CANCELED"])
        #expect(reports[0]["time_in_force"] as? String == "DAY" && reports[0]["order_timestamp"] as? Int == 2000)
        #expect(reports[1]["time_in_force"] == nil && reports[1]["order_timestamp"] == nil)
    }

    @Test func rejectionsCarryCodeAndSentence() {
        let out = replay([
            #"{"order_id":"x","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.255,"quantity":1,"time_in_force":"GTC","timestamp":1}"#,
            #"{"type":"CANCEL","order_id":"nope","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","timestamp":2}"#,
        ])
        #expect(out[0].contains(#""status":"REJECTED","reason":"OFF_TICK: price is not a multiple of the instrument's tick size""#))
        #expect(out[1].contains(#""status":"REJECTED","reason":"UNKNOWN_ORDER: "#))
        #expect(out[0].contains(#""order_type":"LIMIT","time_in_force":"GTC","status":"REJECTED""#))
        #expect(!out[1].contains("order_type") && !out[1].contains("order_timestamp"), "a cancel's report has no terms")
    }

    @Test func snapshotTickAndErrorsKeepOneLinePerInput() {
        let out = replay([
            #"{"order_id":"t-1","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":150,"quantity":3,"time_in_force":"TTL","validity_ttl":1,"timestamp":0}"#,
            #"{"type":"SNAPSHOT","stock_symbol":"AAPL"}"#,
            #"{"type":"TICK","timestamp":60000}"#,
            #"{"type":"SNAPSHOT","stock_symbol":"AAPL"}"#,
            "not json",
            "",
            #"{"type":"SNAPSHOT","stock_symbol":"ZZZZ"}"#,
            #"{"order_id":"q","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","quantity":1,"time_in_force":"GTC","timestamp":1}"#,
            #"{"type":"SNAPSHOT"}"#,
            #"{"type":"SNAPSHOT","stock_symbol":"AAPL","depth":5}"#,
        ])
        #expect(out.count == 10)
        #expect(out[1] == #"{"line":2,"snapshot":{"stock_symbol":"AAPL","bids":[{"order_id":"t-1","trader_id":"amy","side":"BUY","price":150,"quantity":3,"filled_quantity":0,"leaves_quantity":3,"time_in_force":"TTL","expires_at":60000}],"asks":[]}}"#)
        #expect(out[2].contains(#""status":"EXPIRED","reason":"TTL_ELAPSED: "#))
        #expect(out[3] == #"{"line":4,"snapshot":{"stock_symbol":"AAPL","bids":[],"asks":[]}}"#)
        #expect(out[4].hasPrefix(#"{"line":5,"error":"#))
        #expect(out[5] == #"{"line":6,"error":"empty line"}"#)
        #expect(out[6].contains("unknown symbol ZZZZ"))
        #expect(out[7].contains("price"))
        #expect(out[8] == #"{"line":9,"error":"field 'stock_symbol': missing required field (SNAPSHOT needs a symbol)"}"#)
        #expect(out[9] == #"{"line":10,"error":"field 'depth': unknown field (not allowed in a SNAPSHOT request)"}"#)
    }

    @Test func sameInputSameBytes() {
        let lines = (0..<200).map { i in
            #"{"order_id":"o\#(i)","trader_id":"t\#(i % 3)","stock_symbol":"AAPL","side":"\#(i % 2 == 0 ? "BUY" : "SELL")","order_type":"LIMIT","price":\#(160 + (i * 7) % 5),"quantity":\#(1 + i % 4),"time_in_force":"GTC","timestamp":\#(i)}"#
        }
        #expect(replay(lines) == replay(lines))
    }

    /// Records of other producers replay as the splitter reads them: the Kafka timestamp from a `<ms><TAB>` prefix
    /// (kcat -f '%T\t%s\n'), no trader, a date-time validity; the split topics' records (with `seq`) replay too.
    @Test func originalRecordsWithTheirKafkaTimestamps() throws {
        let out = replay([
            "1700000000000\t" + #"{"order_id": "s", "stock_symbol": "AAPL", "quantity": 8, "side": "sell", "order_type": "limit", "price": "154.51", "time_in_force": "2023-03-13 00:50:12"}"#,
            #"{"seq":2,"source_offset":9,"order_id":"b","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":155,"quantity":3,"time_in_force":"IOC","timestamp":1700000000500}"#,
            #"{"order_id": "x", "stock_symbol": "AAPL", "quantity": 8, "side": "sell", "order_type": "limit", "price": 154.51, "time_in_force": "gtc"}"#,
        ])
        let placed = try #require(try reports(out[0]).first)
        #expect(placed["timestamp"] as? Int == 1_700_000_000_000)
        #expect(placed["time_in_force"] as? String == "DAY")
        #expect(placed["trader_id"] == nil)
        #expect(out[1].contains(#""BUY_ORDER_ID":"b","SELL_ORDER_ID":"s","BUY_STOCK_SYMBOL":"AAPL","PRICE":154.51,"BUY_PRICE":155,"SELL_PRICE":154.51,"QUANTITY":3,"AGGRESSOR_SIDE":"BUY","TRADE_TIME":1700000000500"#))
        #expect(out[2] == #"{"line":3,"error":"field 'timestamp': missing required field"}"#)
    }
}
