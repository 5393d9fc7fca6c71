import MatchingEngine
import Testing

/// `EngineConfiguration.retainedOrderIds`: finished ids are forgotten oldest first, live ones never,
/// memory stays bounded, and snapshots carry what is remembered.
@Suite struct RetentionTests {
    /// Releases forgotten ids after each command, as the matcher does.
    final class Driver {
        let h: Harness
        var engine: Engine { h.engine }
        init(retaining n: Int) { h = Harness(retainedOrderIds: n) }

        @discardableResult
        func new(_ id: String, _ side: Side, _ quantity: Int64, _ price: String, trader: String = "A", tif: TimeInForce = .goodTillCanceled) -> [String] {
            defer { engine.releaseForgottenOrderIds() }
            return h.new(id, side, quantity, price, trader: trader, tif: tif)
        }

        @discardableResult
        func cancel(_ id: String, trader: String = "A") -> [String] {
            defer { engine.releaseForgottenOrderIds() }
            return h.cancel(id, trader: trader)
        }
    }

    @Test func oldestFinishedIdsAreForgottenAndMayBeUsedAgain() {
        let d = Driver(retaining: 3)
        for id in ["a", "b", "c"] { #expect(d.new(id, .buy, 1, "150", tif: .immediateOrCancel) == ["\(id) NEW 0/1", "\(id) CANCELED 0/0 IOC_REMAINDER"]) }
        #expect(d.new("c", .buy, 1, "150") == ["c REJECTED 0/0 DUPLICATE_ORDER_ID"])
        #expect(d.new("d", .buy, 1, "150", tif: .immediateOrCancel).first == "d NEW 0/1")  // forgets "a"
        #expect(d.new("a", .buy, 1, "150", tif: .immediateOrCancel).first == "a NEW 0/1")  // "a" is new again; forgets "b"
        #expect(d.new("c", .buy, 1, "150") == ["c REJECTED 0/0 DUPLICATE_ORDER_ID"])
        #expect(d.cancel("b") == ["b REJECTED 0/0 UNKNOWN_ORDER"])
        #expect(d.engine.rememberedOrderIds == 3)
    }

    @Test func liveOrdersAreNeverForgotten() {
        let d = Driver(retaining: 2)
        d.new("live", .buy, 5, "150")
        for i in 0..<100 { d.new("x\(i)", .buy, 1, "150", tif: .immediateOrCancel) }  // no asks: cancelled at once
        #expect(d.cancel("live") == ["live CANCELED 0/0 CANCELED_BY_TRADER"])
        #expect(d.engine.rememberedOrderIds <= 3)
    }

    @Test func unknownIdsInCancelsLeaveNothingBehind() {
        let d = Driver(retaining: 10)
        for i in 0..<1_000 { #expect(d.cancel("ghost-\(i)") == ["ghost-\(i) REJECTED 0/0 UNKNOWN_ORDER"]) }
        #expect(d.engine.rememberedOrderIds == 0)
    }

    @Test func memoryAndSnapshotsStayBoundedOverManyOrders() throws {
        let d = Driver(retaining: 100)
        func burst(_ range: Range<Int>) {
            for i in range { d.new("o\(i)", i % 2 == 0 ? .buy : .sell, 1, "160", trader: "T\(i % 7)") }
        }
        burst(0..<1_000)
        let early = d.engine.snapshot().count
        burst(1_000..<20_000)
        #expect(d.engine.rememberedOrderIds <= 100 + d.engine.openOrders)
        #expect(d.engine.snapshot().count < early * 2)
        // The restored engine remembers the same ids: a recent one is a duplicate, an old one is new.
        let restored = try Engine(snapshot: d.engine.snapshot())
        #expect(restored.snapshot() == d.engine.snapshot())
        #expect(restored.configuration.retainedOrderIds == 100)
        var events: [EngineEvent] = []
        let aapl = restored.symbolHandle("AAPL")
        for (id, expected) in [("o19999", Reason.duplicateOrderId), ("o5", nil)] {
            events.removeAll()
            restored.process(
                .new(NewOrder(order: restored.orderHandle(id), trader: restored.traderHandle("Z"), symbol: aapl, side: .buy,
                              price: Price(units: 150), quantity: 1, timestamp: restored.clock)), into: &events)
            guard case .report(let report) = events.first else {
                Issue.record("no report")
                continue
            }
            #expect(report.reason == expected, "\(id)")
        }
    }
}
