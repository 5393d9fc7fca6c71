import ExchangeStreams
import StreamAnalytics
import Testing

/// `exchange analytics --stdio`'s replay: exact output lines, errors as lines while the run goes on, determinism.
@Suite struct AnalyticsReplayTests {
    static func trade(_ symbol: String, _ price: String, time: Int64, seq: Int64, quantity: Int = 1) -> String {
        """
        {"TRADE_ID":"0-\(seq)","BUY_ORDER_ID":"b\(seq)","SELL_ORDER_ID":"s\(seq)","BUY_STOCK_SYMBOL":"\(symbol)",\
        "PRICE":\(price),"QUANTITY":\(quantity),"BUY_TRADER_ID":"t1","SELL_TRADER_ID":"t2","AGGRESSOR_SIDE":"BUY",\
        "TRADE_TIME":\(time),"SEQ":\(seq)}
        """
    }

    static let input = [
        trade("AAPL", "160.25", time: 60_000, seq: 1, quantity: 10),
        trade("GOOG", "1165", time: 120_000, seq: 2, quantity: 3),
        trade("AAPL", "161", time: 400_000, seq: 3, quantity: 5),
        trade("AAPL", "-1", time: 400_000, seq: 4),
        "",
        "not json",
        #"{"type":"TICK","timestamp":700000}"#,
        trade("GOOG", "1170", time: 30_000, seq: 6),
    ]

    func replay(_ lines: [String], mode: EmitMode = .final, close: Bool = true) throws -> (lines: [String], errors: Int) {
        var replay = AnalyticsReplay(
            configuration: try AnalyticsConfiguration(emitMode: mode), sma: true, profit: true)
        for (index, line) in lines.enumerated() { replay.process(line: Array(line.utf8), number: Int64(index + 1)) }
        if close { replay.closeAll() }
        let text = String(decoding: replay.takeOutput(), as: UTF8.self)
        return (text.split(separator: "\n").map(String.init), replay.errorCount)
    }

    @Test func writesEnvelopesErrorsAndDeadLettersInOrder() throws {
        let (lines, errors) = try replay(Self.input)
        #expect(errors == 2)
        #expect(lines.count == 11)
        #expect(lines[0] == #"{"error":"line 4: field 'PRICE': must be positive, got -1","line":4}"#)
        #expect(lines[1].hasPrefix(#"{"error":"line 6: "#))
        #expect(lines[2] == """
            {"topic":"SMA_HOPPING_TABLE","key":"AAPL@0","value":{"STOCK_SYMBOL":"AAPL","SMA":160.625,\
            "WINDOW_START":0,"WINDOW_END":600000,"COUNT":2,"VWAP":160.5}}
            """)
        #expect(lines[3] == """
            {"topic":"stock_profit","key":"AAPL@0","value":{"STOCK_SYMBOL":"AAPL","WINDOW_START":0,"WINDOW_END":600000,\
            "OPEN":160.25,"HIGH":161,"LOW":160.25,"CLOSE":161,"PROFIT":0.75,"PROFIT_PCT":0.468019,"TRADES":2,"VOLUME":15}}
            """)
        #expect(lines[6] == """
            {"topic":"top_profit","key":"0","value":{"WINDOW_START":0,"WINDOW_END":600000,"STOCK_SYMBOL":"AAPL",\
            "PROFIT":0.75,"PROFIT_PCT":0.468019,"RANKING":[{"STOCK_SYMBOL":"AAPL","PROFIT":0.75,"PROFIT_PCT":0.468019},\
            {"STOCK_SYMBOL":"GOOG","PROFIT":0,"PROFIT_PCT":0}]}}
            """)
        // The GOOG trade at 30 s arrives after the tick at 700 s closed [0, 600 s): a dead letter, line 8.
        #expect(lines[7].hasPrefix(#"{"topic":"dead_letters","key":"GOOG","value":{"source_topic":"matched_trades","#))
        #expect(lines[7].contains(#""source_offset":8,"#) && lines[7].contains("late trade: event time 30000 ms"))
        // Closing at end of input emits the window [300 s, 900 s) that only AAPL's 400 s trade fell in.
        #expect(lines[8].hasPrefix(#"{"topic":"SMA_HOPPING_TABLE","key":"AAPL@300000""#))
        #expect(lines[10].hasPrefix(#"{"topic":"top_profit","key":"300000""#))
    }

    @Test func withoutClosingAtTheEndOpenWindowsStayOpen() throws {
        let (lines, _) = try replay(Self.input, close: false)
        #expect(lines.count == 8)
    }

    @Test func changesModeAndDeterminism() throws {
        let first = try replay(Self.input, mode: .changes)
        let second = try replay(Self.input, mode: .changes)
        #expect(first.lines == second.lines)
        // AAPL@0 after the first trade, GOOG@0, AAPL@0 and AAPL@300000 after the third: sma + profit + top each.
        #expect(first.lines.filter { $0.hasPrefix(#"{"topic":"SMA_HOPPING_TABLE""#) }.count == 4)
        #expect(first.lines.filter { $0.hasPrefix(#"{"topic":"top_profit""#) }.count == 4)
    }
}
