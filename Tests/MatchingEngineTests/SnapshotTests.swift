import MatchingEngine
import Testing

@Suite struct SnapshotTests {
    @Test func restoresBooksClockAndCounters() throws {
        let h = Harness(stp: .cancelBoth)
        h.new("s1", .sell, 10, "161", trader: "S")
        h.new("b1", .buy, 4, "161", trader: "B")
        h.new("d1", .buy, 7, "150", trader: "B", tif: .day)
        h.new("t1", .sell, 3, "170", trader: "S", tif: .timeToLive, ttl: 10)
        let restored = try Engine(snapshot: h.engine.snapshot())
        #expect(restored.configuration == h.engine.configuration)
        #expect(restored.clock == h.engine.clock)
        #expect(restored.nextTradeNumber == 2)
        #expect(restored.instruments == h.engine.instruments)
        let aapl = restored.symbolHandle("AAPL")
        #expect(restored.orderBook(aapl).asks.map { restored.orderId($0.order) } == ["s1", "t1"])
        #expect(restored.orderBook(aapl).asks.first?.filledQuantity == 4)
        #expect(restored.lastTrade(aapl) == h.engine.lastTrade(aapl))
        #expect(restored.openOrder(restored.orderHandle("d1"))?.expiresAt == h.engine.openOrder(h.engine.orderHandle("d1"))?.expiresAt)
        // Used ids stay used.
        var events: [EngineEvent] = []
        restored.process(.new(NewOrder(order: restored.orderHandle("b1"), trader: restored.traderHandle("B"), symbol: aapl,
                                       side: .buy, price: Price(units: 150), quantity: 1, timestamp: restored.clock)), into: &events)
        guard case .report(let report) = events.first else { Issue.record("no report"); return }
        #expect(report.reason == .duplicateOrderId)
    }

    @Test func rejectsDamagedBytes() {
        let h = Harness()
        h.new("b1", .buy, 10, "150")
        let bytes = h.engine.snapshot()
        func error(_ b: [UInt8]) -> String {
            do {
                _ = try Engine(snapshot: b)
                return "no error"
            } catch { return error.description }
        }
        #expect(error([]).contains("magic"))
        #expect(error(Array(bytes.dropLast(3))).contains("checksum"))
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(error(flipped).contains("checksum"))
        var future = bytes
        future[4] = 9  // version byte
        #expect(error(future).contains("checksum") || error(future).contains("version"))
    }

    @Test func unbandedLadderShapeSurvivesRestore() throws {
        let free = Instrument(symbol: "FREE", tickSize: Price(micros: 10_000), referencePrice: Price(units: 100))
        let h = Harness(instruments: [free])
        h.new("a", .buy, 1, "100", symbol: "FREE")
        h.new("b", .buy, 1, "3", symbol: "FREE")
        let restored = try Engine(snapshot: h.engine.snapshot())
        #expect(restored.snapshot() == h.engine.snapshot())
        #expect(restored.depth(restored.symbolHandle("FREE"), levels: 5) == h.engine.depth(h.engine.symbolHandle("FREE"), levels: 5))
    }
}
