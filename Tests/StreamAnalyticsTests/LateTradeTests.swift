import StreamAnalytics
import Testing

/// Grace period and late trades: within grace they update the window; beyond it they are reported, never dropped
/// silently, and change no emitted result.
@Suite struct LateTradeTests {
    static let minute: Int64 = 60_000

    func aggregator(_ mode: EmitMode) throws -> WindowAggregator {
        WindowAggregator(configuration: try AnalyticsConfiguration(
            window: .defaultHopping, grace: Self.minute, emitMode: mode, outputs: [.symbolWindows]))
    }

    func trade(_ price: Int64, at time: Int64, seq: Int64) -> AnalyticsTrade {
        AnalyticsTrade(symbol: "AAPL", price: price, quantity: 1, time: time, seq: seq)
    }

    @Test func lateWithinGraceUpdatesTheWindow() throws {
        var agg = try aggregator(.final)
        _ = try agg.process(trade(100, at: 1 * Self.minute, seq: 1))
        _ = try agg.process(trade(300, at: 10 * Self.minute + 30_000, seq: 2))  // stream time 10.5 min
        #expect(try agg.process(trade(200, at: 9 * Self.minute, seq: 3)).isEmpty)  // W0 open until 11 min
        let outs = try agg.tick(11 * Self.minute)
        guard case .symbolWindow(let w0) = outs.first, outs.count == 1 else {
            Issue.record("expected W0 only, got \(outs)")
            return
        }
        #expect(w0.windowStart == 0 && w0.count == 2 && w0.open == 100 && w0.close == 200 && w0.sma == 150)
    }

    @Test func beyondGraceIsReportedAndChangesNothingEmitted() throws {
        var agg = try aggregator(.final)
        _ = try agg.process(trade(100, at: 1 * Self.minute, seq: 1))
        let closing = try agg.process(trade(300, at: 11 * Self.minute, seq: 2))  // closes W0 = [0, 10 min)
        guard case .symbolWindow(let w0) = closing.first else {
            Issue.record("W0 not emitted")
            return
        }
        #expect(w0.count == 1)
        // 2 min: only in W0, which is closed → reported, not counted anywhere.
        let early = try agg.process(trade(999, at: 2 * Self.minute, seq: 3))
        #expect(early.count == 1)
        guard case .lateTrade(let report) = early.first else {
            Issue.record("no late report")
            return
        }
        #expect(report.missedWindowStarts == [0])
        #expect(!report.appliedToOpenWindows)
        #expect(report.streamTime == 11 * Self.minute)
        #expect(report.reason.contains("late trade"))
        #expect(report.reason.contains("[0,600000)"))
        #expect(report.reason.contains("not counted"))
        // 9 min: W0 closed (missed), W1 = [5, 15 min) open → reported and counted in W1 only.
        let partly = try agg.process(trade(500, at: 9 * Self.minute, seq: 4))
        guard case .lateTrade(let partial) = partly.first else {
            Issue.record("no late report")
            return
        }
        #expect(partial.missedWindowStarts == [0] && partial.appliedToOpenWindows)
        let rest = try agg.tick(16 * Self.minute)
        let w1 = rest.compactMap { output -> SymbolWindowResult? in
            if case .symbolWindow(let r) = output, r.windowStart == 5 * Self.minute { return r }
            return nil
        }
        #expect(w1.count == 1 && w1.first?.count == 2 && w1.first?.open == 500 && w1.first?.close == 300)
        #expect(!rest.contains { if case .symbolWindow(let r) = $0 { r.windowStart == 0 } else { false } })
    }

    @Test func changesModeReportsLateBeforeTheOpenWindowUpdate() throws {
        var agg = try aggregator(.changes)
        _ = try agg.process(trade(100, at: 12 * Self.minute, seq: 1))  // stream time 12 min: W0 closed
        let outs = try agg.process(trade(200, at: 9 * Self.minute, seq: 2))
        #expect(outs.count == 2)
        guard case .lateTrade = outs.first, case .symbolWindow(let w1) = outs.last else {
            Issue.record("unexpected \(outs)")
            return
        }
        #expect(w1.windowStart == 5 * Self.minute && w1.count == 2 && w1.open == 200 && w1.close == 100)
    }

    @Test func streamTimeIsSharedBySymbolsSoTicksCloseQuietSymbols() throws {
        var agg = try aggregator(.final)
        _ = try agg.process(AnalyticsTrade(symbol: "QUIET", price: 5, quantity: 1, time: 0, seq: 1))
        // Another symbol's trade moves stream time for everyone (per partition, as in Kafka Streams).
        let outs = try agg.process(AnalyticsTrade(symbol: "BUSY", price: 7, quantity: 1, time: 11 * Self.minute, seq: 2))
        guard case .symbolWindow(let closedByOther) = outs.first, outs.count == 1 else {
            Issue.record("expected QUIET's W0, got \(outs)")
            return
        }
        #expect(closedByOther.symbol == "QUIET")
        // With no trade at all, a tick (an event-time advance from the clock) closes the window too.
        var ticking = try aggregator(.final)
        _ = try ticking.process(AnalyticsTrade(symbol: "QUIET", price: 5, quantity: 1, time: 0, seq: 1))
        let closed = try ticking.tick(11 * Self.minute)
        guard case .symbolWindow(let r) = closed.first, closed.count == 1 else {
            Issue.record("tick did not close the quiet symbol's window: \(closed)")
            return
        }
        #expect(r.symbol == "QUIET" && r.windowStart == 0)
        #expect(ticking.streamTime == 11 * Self.minute)
        #expect(try ticking.tick(5).isEmpty && ticking.streamTime == 11 * Self.minute)  // ticks never go back
    }
}
