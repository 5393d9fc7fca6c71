import ExchangeRecords
import ExchangeStreams
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
        #expect(out[0] == #"{"line":1,"events":[{"topic":"execution_reports","key":"AAPL","value":{"order_id":"s-1","trader_id":"bob","symbol":"AAPL","side":"SELL","status":"NEW","price":160.25,"quantity":10,"filled_quantity":0,"leaves_quantity":10,"seq":1,"timestamp":1000}}]}"#)
        #expect(out[1].contains(#"{"topic":"matched_trades","key":"AAPL","value":{"TRADE_ID":"0-1","BUY_ORDER_ID":"b-1","SELL_ORDER_ID":"s-1","BUY_STOCK_SYMBOL":"AAPL","PRICE":160.25,"BUY_PRICE":160.3,"SELL_PRICE":160.25,"QUANTITY":4,"BUY_TRADER_ID":"amy","SELL_TRADER_ID":"bob","AGGRESSOR_SIDE":"BUY","TRADE_TIME":2000,"SEQ":1}}"#))
        #expect(out[1].contains(#""order_id":"s-1","trader_id":"bob","symbol":"AAPL","side":"SELL","status":"PARTIALLY_FILLED","price":160.25,"quantity":10,"filled_quantity":4,"leaves_quantity":6,"last_price":160.25,"last_quantity":4,"trade_id":"0-1""#))
    }

    @Test func rejectionsCarryCodeAndSentence() {
        let out = replay([
            #"{"order_id":"x","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.255,"quantity":1,"time_in_force":"GTC","timestamp":1}"#,
            #"{"type":"CANCEL","order_id":"nope","trader_id":"amy","stock_symbol":"AAPL","side":"BUY","timestamp":2}"#,
        ])
        #expect(out[0].contains(#""status":"REJECTED","reason":"OFF_TICK: price is not a multiple of the instrument's tick size""#))
        #expect(out[1].contains(#""status":"REJECTED","reason":"UNKNOWN_ORDER: "#))
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
        ])
        #expect(out.count == 8)
        #expect(out[1] == #"{"line":2,"snapshot":{"stock_symbol":"AAPL","bids":[{"order_id":"t-1","trader_id":"amy","side":"BUY","price":150,"quantity":3,"filled_quantity":0,"leaves_quantity":3,"time_in_force":"TTL","expires_at":60000}],"asks":[]}}"#)
        #expect(out[2].contains(#""status":"EXPIRED","reason":"TTL_ELAPSED: "#))
        #expect(out[3] == #"{"line":4,"snapshot":{"stock_symbol":"AAPL","bids":[],"asks":[]}}"#)
        #expect(out[4].hasPrefix(#"{"line":5,"error":"#))
        #expect(out[5] == #"{"line":6,"error":"empty line"}"#)
        #expect(out[6].contains("unknown symbol ZZZZ"))
        #expect(out[7].contains("price"))
    }

    @Test func sameInputSameBytes() {
        let lines = (0..<200).map { i in
            #"{"order_id":"o\#(i)","trader_id":"t\#(i % 3)","stock_symbol":"AAPL","side":"\#(i % 2 == 0 ? "BUY" : "SELL")","order_type":"LIMIT","price":\#(160 + (i * 7) % 5),"quantity":\#(1 + i % 4),"time_in_force":"GTC","timestamp":\#(i)}"#
        }
        #expect(replay(lines) == replay(lines))
    }
}
