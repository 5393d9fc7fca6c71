import StreamAnalytics
import Testing

/// Bad input gets an error naming the field and the problem, changes no state, and never crashes.
@Suite struct BadInputTests {
    func trade(price: Int64 = 1_000_000, quantity: Int64 = 1, time: Int64 = 0, symbol: String = "AAPL") -> AnalyticsTrade {
        AnalyticsTrade(symbol: symbol, price: price, quantity: quantity, time: time, seq: 1)
    }

    @Test func invalidTradesAreRefusedByField() throws {
        var agg = WindowAggregator(configuration: try AnalyticsConfiguration())
        let before = agg.snapshot()
        #expect(throws: AnalyticsError.invalidField(field: "price", problem: "must be positive, got -5 micros")) {
            try agg.process(trade(price: -5))
        }
        #expect(throws: AnalyticsError.invalidField(field: "price", problem: "must be positive, got 0 micros")) {
            try agg.process(trade(price: 0))
        }
        #expect(throws: AnalyticsError.invalidField(field: "quantity", problem: "must be positive, got 0")) {
            try agg.process(trade(quantity: 0))
        }
        #expect(throws: AnalyticsError.invalidField(
            field: "timestamp", problem: "must not be negative (windows start at the epoch), got -1")) {
            try agg.process(trade(time: -1))
        }
        #expect(throws: AnalyticsError.invalidField(field: "symbol", problem: "must not be empty")) {
            try agg.process(trade(symbol: ""))
        }
        #expect(throws: AnalyticsError.self) { try agg.tick(-10) }
        #expect(throws: AnalyticsError.invalidField(
            field: "timestamp", problem: "must be at most \(Int64.max / 2), got \(Int64.max)")) {
            try agg.process(trade(time: .max))
        }
        #expect(throws: AnalyticsError.self) { try agg.tick(.max) }
        #expect(agg.snapshot() == before)
        #expect(agg.knownSymbols.isEmpty)
        #expect(agg.streamTime == nil)
    }

    @Test func fastPathChecksTheSameThings() throws {
        var agg = WindowAggregator(configuration: try AnalyticsConfiguration())
        let id = try agg.intern("AAPL")
        #expect(throws: AnalyticsError.invalidField(field: "quantity", problem: "must be positive, got -3")) {
            try agg.add(symbol: id, price: 1, quantity: -3, time: 0, seq: 0)
        }
        var other = WindowAggregator(configuration: try AnalyticsConfiguration())
        _ = try other.intern("A")
        let foreign = try other.intern("B")
        #expect(throws: AnalyticsError.unknownSymbolId(1)) {
            try agg.add(symbol: foreign, price: 1, quantity: 1, time: 0, seq: 0)
        }
        #expect(agg.pendingOutputs.isEmpty)
    }

    @Test func errorsReadAsSentences() {
        #expect(AnalyticsError.invalidField(field: "price", problem: "must be positive, got -5 micros").description
            == "invalid price: must be positive, got -5 micros")
    }
}

/// Extremes at the top of the accepted range work without overflow.
@Suite struct ExtremeTimeTests {
    @Test func largestTimestampsWork() throws {
        var agg = WindowAggregator(configuration: try AnalyticsConfiguration(emitMode: .final))
        let top = WindowAggregator.maximumTimestamp
        _ = try agg.process(AnalyticsTrade(symbol: "X", price: 1, quantity: 1, time: top - 1, seq: 1))
        _ = try agg.process(AnalyticsTrade(symbol: "X", price: 2, quantity: 1, time: top, seq: 2))
        #expect(try agg.tick(top).isEmpty)
        #expect(agg.streamTime == top)
        let restored = try WindowAggregator(snapshot: agg.snapshot())
        #expect(restored.snapshot() == agg.snapshot())
    }
}
