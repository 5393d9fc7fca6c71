import ExchangeRecords
import ExchangeStreams
import StreamAnalytics
import Testing

/// Wire records ↔ analytics domain types: exact decoding, clear errors, and the analytics records' exact bytes.
@Suite struct AnalyticsRecordMappingTests {
    static func tradeJSON(price: String = "160.25", quantity: String = "10", time: String? = "60000", extra: String = "") -> String {
        let timeField = time.map { ",\"TRADE_TIME\":\($0)" } ?? ""
        return """
            {"TRADE_ID":"0-1","BUY_ORDER_ID":"b1","SELL_ORDER_ID":"s1","BUY_STOCK_SYMBOL":"AAPL","PRICE":\(price),\
            "QUANTITY":\(quantity),"BUY_TRADER_ID":"t1","SELL_TRADER_ID":"t2","AGGRESSOR_SIDE":"BUY"\(timeField),"SEQ":7\(extra)}
            """
    }

    func decode(_ text: String) throws(RecordDecodingError) -> AnalyticsRecordMapping.Input {
        try AnalyticsRecordMapping.decodeInput(json: Array(text.utf8))
    }

    @Test func tradeDecodesExactlyToMicros() throws {
        #expect(try decode(Self.tradeJSON()) == .trade(AnalyticsTrade(
            symbol: "AAPL", price: 160_250_000, quantity: 10, time: 60_000, seq: 7)))
        #expect(try decode(Self.tradeJSON(price: "0.000001")) == .trade(AnalyticsTrade(
            symbol: "AAPL", price: 1, quantity: 10, time: 60_000, seq: 7)))
    }

    @Test func tickDecodes() throws {
        #expect(try decode(#"{"type":"TICK","timestamp":1700000000000}"#) == .tick(1_700_000_000_000))
    }

    @Test func badInputNamesTheField() {
        let cases: [(String, String)] = [
            (Self.tradeJSON(price: "-1"), "PRICE"),
            (Self.tradeJSON(price: "0"), "PRICE"),
            (Self.tradeJSON(price: "NaN"), "PRICE"),
            (Self.tradeJSON(price: "1e400"), "PRICE"),
            (Self.tradeJSON(price: "\"160.25\""), "PRICE"),
            (Self.tradeJSON(quantity: "0"), "QUANTITY"),
            (Self.tradeJSON(time: nil), "TRADE_TIME"),
            (Self.tradeJSON(time: "-5"), "TRADE_TIME"),
            (Self.tradeJSON(time: "9223372036854775807"), "TRADE_TIME"),
            (Self.tradeJSON(extra: ",\"COLOUR\":1"), "COLOUR"),
        ]
        for (json, field) in cases {
            do {
                let input = try decode(json)
                Issue.record("accepted \(json) as \(input)")
            } catch {
                #expect(error.field == field, "\(json): \(error)")
            }
        }
        #expect(throws: RecordDecodingError.self) { try decode("not json") }
        #expect(throws: RecordDecodingError.self) { try decode(#"{"type":"CANCEL","order_id":"o"}"#) }
    }

    static let result = SymbolWindowResult(
        symbol: "AAPL", windowStart: 0, windowEnd: 600_000, count: 2, volume: 15, sma: 160_625_000, vwap: 160_500_000,
        open: 160_250_000, high: 161_000_000, low: 160_250_000, close: 161_000_000, profit: 750_000,
        profitPercent: 468_019, timestamp: 400_000)

    @Test func smaAndProfitRecordsHaveExactBytesAndKeys() {
        let sma = AnalyticsRecordMapping.smaRecord(Self.result)
        #expect(sma.key == "AAPL@0")
        #expect(sma.value.jsonString
            == #"{"STOCK_SYMBOL":"AAPL","SMA":160.625,"WINDOW_START":0,"WINDOW_END":600000,"COUNT":2,"VWAP":160.5}"#)
        let profit = AnalyticsRecordMapping.profitRecord(Self.result)
        #expect(profit.key == "AAPL@0")
        #expect(profit.value.jsonString == """
            {"STOCK_SYMBOL":"AAPL","WINDOW_START":0,"WINDOW_END":600000,"OPEN":160.25,"HIGH":161,"LOW":160.25,\
            "CLOSE":161,"PROFIT":0.75,"PROFIT_PCT":0.468019,"TRADES":2,"VOLUME":15}
            """)
    }

    @Test func topProfitRecordCarriesLeaderAndRanking() {
        let top = TopProfitResult(windowStart: 300_000, windowEnd: 900_000, ranking: [
            ProfitRankEntry(symbol: "FB", profit: 0, profitPercent: 0, open: 1, close: 1),
            ProfitRankEntry(symbol: "AAPL", profit: -1_000_000, profitPercent: -980_392, open: 102_000_000, close: 101_000_000),
        ], timestamp: 1)
        let record = AnalyticsRecordMapping.topProfitRecord(top)
        #expect(record.key == "300000")
        #expect(record.value.jsonString == """
            {"WINDOW_START":300000,"WINDOW_END":900000,"STOCK_SYMBOL":"FB","PROFIT":0,"PROFIT_PCT":0,"RANKING":\
            [{"STOCK_SYMBOL":"FB","PROFIT":0,"PROFIT_PCT":0},{"STOCK_SYMBOL":"AAPL","PROFIT":-1,"PROFIT_PCT":-0.980392}]}
            """)
    }

    @Test func mergingPartitionRankingsEqualsOneAggregatorOverAllSymbols() throws {
        // Symbols split over two "partitions" by hand; stream time moves alike in both through ticks.
        let configuration = try AnalyticsConfiguration(
            window: try WindowSpec(size: 100, advance: 50), grace: 0, emitMode: .final, outputs: [.topProfit])
        let symbols = ["AAPL", "AMZN", "FB", "GOOG", "TSLA", "MSFT"]
        var all = WindowAggregator(configuration: configuration)
        var parts = [WindowAggregator(configuration: configuration), WindowAggregator(configuration: configuration)]
        var whole: [TopProfit] = []
        var partials: [Int64: [TopProfit]] = [:]
        func collect(_ outputs: [AnalyticsOutput], into sink: (TopProfit) -> Void) {
            for case .topProfit(let top) in outputs { sink(AnalyticsRecordMapping.topProfitRecord(top).value) }
        }
        var seq: Int64 = 0
        for time in stride(from: Int64(0), to: 1_000, by: 7) {
            for (index, symbol) in symbols.enumerated() where (time / 7 + Int64(index)) % 3 != 0 {
                seq += 1
                let trade = AnalyticsTrade(
                    symbol: symbol, price: 1_000 + (seq * 37 + Int64(index) * 11) % 50, quantity: 1, time: time, seq: seq)
                collect(try all.process(trade)) { whole.append($0) }
                collect(try parts[index % 2].process(trade)) { partials[$0.windowStart, default: []].append($0) }
            }
            for part in parts.indices { collect(try parts[part].tick(time)) { partials[$0.windowStart, default: []].append($0) } }
        }
        #expect(whole.count > 10)
        for record in whole {
            let merged = AnalyticsRecordMapping.mergeTopProfit(partials[record.windowStart] ?? [])
            #expect(merged?.value == record)
        }
    }

    @Test func lateTradeBecomesADeadLetterWithItsReason() throws {
        var aggregator = WindowAggregator(configuration: try AnalyticsConfiguration(grace: 0, emitMode: .final))
        _ = try aggregator.process(AnalyticsTrade(symbol: "AAPL", price: 1, quantity: 1, time: 700_000, seq: 1))
        let raw = Array(Self.tradeJSON().utf8)
        guard case .trade(let trade) = try AnalyticsRecordMapping.decodeInput(json: raw),
              case .lateTrade(let late) = try aggregator.process(trade).first
        else {
            Issue.record("no late report")
            return
        }
        let letter = AnalyticsRecordMapping.deadLetter(late, sourcePartition: 3, sourceOffset: 42, rawPayload: raw, stage: "sma")
        #expect(letter.sourceTopic == "matched_trades" && letter.sourcePartition == 3 && letter.sourceOffset == 42)
        #expect(letter.rawPayload == raw && letter.stage == "sma" && letter.timestamp == 60_000)
        #expect(letter.reason == late.reason && letter.reason.hasPrefix("late trade: event time 60000 ms"))
    }
}
