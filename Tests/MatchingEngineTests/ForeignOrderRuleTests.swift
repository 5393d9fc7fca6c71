import MatchingEngine
import Testing

/// GTD validity and unattributed orders: what producers other than the gateway need (docs/matching.md).
@Suite struct ForeignOrderRuleTests {
    @Test func goodTillDateOrderRestsUntilItsInstantThenExpires() {
        let h = Harness()
        let t0 = h.time
        #expect(h.new("g1", .sell, 10, "170", trader: "S", tif: .goodTillDate, expireAt: t0 + 90_000) == ["g1 NEW 0/10"])
        #expect(h.tick(t0 + 89_999).isEmpty)
        #expect(h.book().asks == ["g1:10@170"])
        // Expired by the first command at or after the instant, stamped with the instant itself.
        #expect(h.new("b1", .buy, 10, "170", trader: "B", at: t0 + 120_000) == ["g1 EXPIRED 0/0 GTD_EXPIRED", "b1 NEW 0/10"])
        #expect(h.reports[0].timestamp == t0 + 90_000)
        #expect(h.book().asks.isEmpty)
    }

    @Test func goodTillDateNeedsAnInstantAfterTheClock() {
        let h = Harness()
        #expect(h.new("g1", .buy, 1, "160", tif: .goodTillDate) == ["g1 REJECTED 0/0 MISSING_EXPIRE_AT"])
        #expect(h.new("g2", .buy, 1, "160", tif: .goodTillDate, expireAt: h.time) == ["g2 REJECTED 0/0 EXPIRE_AT_PASSED"])
        #expect(h.new("g3", .buy, 1, "160", tif: .goodTillDate, expireAt: h.time + 1) == ["g3 NEW 0/1"])
        // Other validities ignore an instant, as they ignore TTL minutes.
        #expect(h.new("d1", .buy, 1, "160", tif: .goodTillCanceled, expireAt: h.time - 1) == ["d1 NEW 0/1"])
    }

    @Test func goodTillDateSurvivesASnapshot() throws {
        let h = Harness()
        h.new("g1", .sell, 5, "165", trader: "S", tif: .goodTillDate, expireAt: h.time + 60_000)
        let restored = try Engine(snapshot: h.engine.snapshot())
        var events: [EngineEvent] = []
        restored.process(.tick(timestamp: h.time + 60_000), into: &events)
        guard case .report(let report)? = events.first else {
            Issue.record("no expiry after the restore: \(events)")
            return
        }
        #expect(report.status == .expired)
        #expect(report.reason == .expiryReached)
    }

    @Test func unattributedOrdersTradeWithEachOtherWhateverTheSelfTradePolicy() {
        for policy in [SelfTradePrevention.cancelIncoming, .cancelResting, .cancelBoth] {
            let h = Harness(stp: policy)
            h.new("s1", .sell, 10, "160", trader: nil)
            #expect(h.new("b1", .buy, 4, "160", trader: nil) == [
                "b1 NEW 0/4", "T1 b1/s1 4@160 agg=BUY", "b1 FILLED 4/0 last 4@160", "s1 PARTIALLY_FILLED 4/6 last 4@160",
            ])
            #expect(h.engine.traderId(h.trades[0].buyTrader) == nil)
            // and with attributed orders, both ways.
            #expect(h.new("b2", .buy, 3, "160", trader: "A").contains("T2 b2/s1 3@160 agg=BUY"))
            h.new("s2", .sell, 2, "159", trader: "A")
            #expect(h.new("b3", .buy, 2, "159", trader: nil).contains("T3 b3/s2 2@159 agg=BUY"))
        }
    }

    @Test func nobodyCancelsOrModifiesAnUnattributedOrder() {
        let h = Harness()
        h.new("u1", .buy, 10, "150", trader: nil)
        #expect(h.cancel("u1", trader: "A") == ["u1 REJECTED 0/10 NOT_OWNER"])
        #expect(h.modify("u1", quantity: 5, trader: "A") == ["u1 REJECTED 0/10 NOT_OWNER"])
        var events: [EngineEvent] = []
        h.engine.process(
            .cancel(CancelOrder(order: h.engine.orderHandle("u1"), trader: .unattributed, symbol: h.engine.symbolHandle("AAPL"), timestamp: h.time)),
            into: &events)
        #expect(events.map(h.render) == ["u1 REJECTED 0/10 NOT_OWNER"])
        #expect(h.book().bids == ["u1:10@150"])
    }
}
