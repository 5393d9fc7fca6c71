import StreamAnalytics
import Testing

/// Hand-made trade sets with results worked out by hand, in both emit modes.
///
/// Windows are 10 min / 5 min: W0 = [0, 10 min), W1 = [5 min, 15 min).
@Suite struct WindowVectorTests {
    static let minute: Int64 = 60_000
    static let dollar: Int64 = 1_000_000

    func aggregator(_ mode: EmitMode, grace: Int64 = 0, outputs: AnalyticsOutputs = .all) throws -> WindowAggregator {
        WindowAggregator(configuration: try AnalyticsConfiguration(
            window: try WindowSpec(size: 10 * Self.minute, advance: 5 * Self.minute), grace: grace, emitMode: mode,
            outputs: outputs))
    }

    static func trade(_ symbol: String, _ dollars: Int64, _ quantity: Int64, minute: Int64, seq: Int64) -> AnalyticsTrade {
        AnalyticsTrade(symbol: symbol, price: dollars * dollar, quantity: quantity, time: minute * Self.minute, seq: seq)
    }

    /// AAPL: 100 @1m, 102 @6m (seq 3), 101 @6m (seq 4: same time, later seq → the close).
    /// GOOG: 50 @2m, 49 @7m. FB: 395 @8m.
    static let trades = [
        trade("AAPL", 100, 10, minute: 1, seq: 1),
        trade("GOOG", 50, 5, minute: 2, seq: 2),
        trade("AAPL", 102, 30, minute: 6, seq: 3),
        trade("AAPL", 101, 10, minute: 6, seq: 4),
        trade("GOOG", 49, 5, minute: 7, seq: 5),
        trade("FB", 395, 1, minute: 8, seq: 6),
    ]

    static func result(
        _ symbol: String, window: Int64, count: Int64, volume: Int64, sma: Int64, vwap: Int64,
        ohlc: (Int64, Int64, Int64, Int64), percent: Int64, lastMinute: Int64
    ) -> SymbolWindowResult {
        SymbolWindowResult(
            symbol: symbol, windowStart: window * 5 * minute, windowEnd: (window * 5 + 10) * minute, count: count,
            volume: volume, sma: sma, vwap: vwap, open: ohlc.0, high: ohlc.1, low: ohlc.2, close: ohlc.3,
            profit: ohlc.3 - ohlc.0, profitPercent: percent, timestamp: lastMinute * minute)
    }

    // W0: AAPL n=3 Σp=303 → SMA 101; VWAP (1000+3060+1010)/50 = 101.4; O 100 H 102 L 100 C 101; +1 = +1 %.
    static let aaplW0 = result("AAPL", window: 0, count: 3, volume: 50, sma: 101 * dollar, vwap: 101_400_000,
                               ohlc: (100 * dollar, 102 * dollar, 100 * dollar, 101 * dollar), percent: 1_000_000, lastMinute: 6)
    static let fbW0 = result("FB", window: 0, count: 1, volume: 1, sma: 395 * dollar, vwap: 395 * dollar,
                             ohlc: (395 * dollar, 395 * dollar, 395 * dollar, 395 * dollar), percent: 0, lastMinute: 8)
    // W0: GOOG 50 then 49: SMA = VWAP = 49.5; −1 = −2 %.
    static let googW0 = result("GOOG", window: 0, count: 2, volume: 10, sma: 49_500_000, vwap: 49_500_000,
                               ohlc: (50 * dollar, 50 * dollar, 49 * dollar, 49 * dollar), percent: -2_000_000, lastMinute: 7)
    // W1: AAPL 102 (seq 3) opens, 101 (seq 4) closes: −1 / 102 = −0.98039215…% → −980_392 micro-percent.
    static let aaplW1 = result("AAPL", window: 1, count: 2, volume: 40, sma: 101_500_000, vwap: 101_750_000,
                               ohlc: (102 * dollar, 102 * dollar, 101 * dollar, 101 * dollar), percent: -980_392, lastMinute: 6)
    static let fbW1 = result("FB", window: 1, count: 1, volume: 1, sma: 395 * dollar, vwap: 395 * dollar,
                             ohlc: (395 * dollar, 395 * dollar, 395 * dollar, 395 * dollar), percent: 0, lastMinute: 8)
    static let googW1 = result("GOOG", window: 1, count: 1, volume: 5, sma: 49 * dollar, vwap: 49 * dollar,
                               ohlc: (49 * dollar, 49 * dollar, 49 * dollar, 49 * dollar), percent: 0, lastMinute: 7)

    static func entry(_ r: SymbolWindowResult) -> ProfitRankEntry {
        ProfitRankEntry(symbol: r.symbol, profit: r.profit, profitPercent: r.profitPercent, open: r.open, close: r.close)
    }

    // Ranking: profit descending, ties by symbol: W0 AAPL +1, FB 0, GOOG −1; W1 FB 0, GOOG 0 (tie → FB first), AAPL −1.
    static let topW0 = TopProfitResult(windowStart: 0, windowEnd: 10 * minute,
                                       ranking: [entry(aaplW0), entry(fbW0), entry(googW0)], timestamp: 8 * minute)
    static let topW1 = TopProfitResult(windowStart: 5 * minute, windowEnd: 15 * minute,
                                       ranking: [entry(fbW1), entry(googW1), entry(aaplW1)], timestamp: 8 * minute)

    @Test func finalModeEmitsEachWindowOnceWhenStreamTimePassesEndPlusGrace() throws {
        var agg = try aggregator(.final, grace: Self.minute)
        var outs: [AnalyticsOutput] = []
        for trade in Self.trades { outs += try agg.process(trade) }
        #expect(outs.isEmpty)
        #expect(try agg.tick(11 * Self.minute - 1).isEmpty)  // W0 ends at 10 min, grace 1 min: not yet
        #expect(try agg.tick(11 * Self.minute) == [
            .symbolWindow(Self.aaplW0), .symbolWindow(Self.fbW0), .symbolWindow(Self.googW0), .topProfit(Self.topW0),
        ])
        #expect(try agg.tick(15 * Self.minute).isEmpty)
        #expect(try agg.tick(16 * Self.minute) == [
            .symbolWindow(Self.aaplW1), .symbolWindow(Self.fbW1), .symbolWindow(Self.googW1), .topProfit(Self.topW1),
        ])
        #expect(try agg.tick(60 * Self.minute).isEmpty)  // never again
        #expect(Self.topW1.leader.symbol == "FB")
    }

    @Test func changesModeEmitsAnUpdatePerAffectedWindowPerTrade() throws {
        var agg = try aggregator(.changes, outputs: [.symbolWindows])
        var perTrade: [[AnalyticsOutput]] = []
        for trade in Self.trades { perTrade.append(try agg.process(trade)) }
        #expect(perTrade.map(\.count) == [1, 1, 2, 2, 2, 2])  // trades before 5 min are in W0 only
        #expect(perTrade[3] == [.symbolWindow(Self.aaplW0), .symbolWindow(Self.aaplW1)])
        #expect(perTrade[4] == [.symbolWindow(Self.googW0), .symbolWindow(Self.googW1)])
        #expect(perTrade[0] == [.symbolWindow(Self.result(
            "AAPL", window: 0, count: 1, volume: 10, sma: 100 * Self.dollar, vwap: 100 * Self.dollar,
            ohlc: (100 * Self.dollar, 100 * Self.dollar, 100 * Self.dollar, 100 * Self.dollar), percent: 0, lastMinute: 1))])
        #expect(try agg.tick(60 * Self.minute).isEmpty)  // CHANGES emits nothing on close
    }

    @Test func changesModeRankingAfterEveryTrade() throws {
        var agg = try aggregator(.changes, outputs: [.topProfit])
        var last: [AnalyticsOutput] = []
        for trade in Self.trades { last = try agg.process(trade) }
        #expect(last == [.topProfit(Self.topW0), .topProfit(Self.topW1)])
    }

    @Test func averagesRoundHalfUpToTheMicro() throws {
        var agg = try aggregator(.final, outputs: [.symbolWindows])
        _ = try agg.process(AnalyticsTrade(symbol: "X", price: 1_000_001, quantity: 1, time: 0, seq: 1))
        _ = try agg.process(AnalyticsTrade(symbol: "X", price: 1_000_002, quantity: 2, time: 1, seq: 2))
        guard case .symbolWindow(let r) = try agg.tick(10 * Self.minute).first else {
            Issue.record("no result")
            return
        }
        #expect(r.sma == 1_000_002)  // 1.0000015 → 1.000002 (half up)
        #expect(r.vwap == 1_000_002)  // 3.000005 / 3 = 1.00000166… → 1.000002
        #expect(r.profitPercent == 100)  // 0.000001 / 1.000001 · 100 = 0.0000999999 % → 0.000100 %
    }

    @Test func hugeValuesDoNotOverflow() throws {
        var agg = try aggregator(.final, outputs: [.symbolWindows])
        let price: Int64 = 1_000_000_000_000_000  // 1e12 dollars
        for seq in 0..<20 as Range<Int64> {
            _ = try agg.process(AnalyticsTrade(symbol: "BIG", price: price + seq, quantity: 1_000_000_000, time: seq, seq: seq))
        }
        guard case .symbolWindow(let r) = try agg.tick(10 * Self.minute).first else {
            Issue.record("no result")
            return
        }
        #expect(r.count == 20 && r.volume == 20_000_000_000)
        #expect(r.sma == price + 10)  // mean of +0…+19 is 9.5 → rounds half up to 10
        #expect(r.vwap == price + 10)
        #expect(r.profit == 19)
    }
}
