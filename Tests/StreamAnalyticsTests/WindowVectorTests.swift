import StreamAnalytics
import Testing

/// Hand-made trade sets with results worked out by hand, in both emit modes.
@Suite struct WindowVectorTests {
    static let minute: Int64 = 60_000

    func aggregator(_ mode: EmitMode, grace: Int64 = 0, outputs: AnalyticsOutputs = .all) throws -> WindowAggregator {
        WindowAggregator(configuration: try AnalyticsConfiguration(
            window: try WindowSpec(size: 10 * Self.minute, advance: 5 * Self.minute), grace: grace, emitMode: mode,
            outputs: outputs))
    }

    @Test func finalModeSMAAndOHLCForOneWindow() throws {
        var agg = try aggregator(.final, outputs: [.symbolWindows])
        var outs = try agg.process(AnalyticsTrade(symbol: "AAPL", price: 160_000_000, quantity: 10, time: 1_000, seq: 1))
        outs += try agg.process(AnalyticsTrade(symbol: "AAPL", price: 161_000_000, quantity: 30, time: 2_000, seq: 2))
        outs += try agg.process(AnalyticsTrade(symbol: "AAPL", price: 159_000_000, quantity: 20, time: 2_000, seq: 3))
        #expect(outs.isEmpty)
        outs = try agg.tick(10 * Self.minute)
        let expected = SymbolWindowResult(
            symbol: "AAPL", windowStart: 0, windowEnd: 600_000, count: 3, volume: 60, sma: 160_000_000,
            vwap: 160_166_667, open: 160_000_000, high: 161_000_000, low: 159_000_000, close: 159_000_000,
            profit: -1_000_000, profitPercent: -625_000, timestamp: 2_000)
        #expect(outs == [.symbolWindow(expected)])
    }
}
