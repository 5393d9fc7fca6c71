import MatchingEngine
import Testing

/// `EngineConfiguration.integerOrderIds`: an id is its own handle, used ids stay used as with strings, and
/// snapshots carry them exactly.
@Suite struct IntegerOrderIdTests {
    static let instrument = Instrument(symbol: "X", tickSize: Price(micros: 5_000), referencePrice: Price(units: 100))

    static func engine() -> Engine {
        Engine(instruments: [instrument], configuration: EngineConfiguration(selfTradePrevention: .none, integerOrderIds: true))
    }

    static func new(_ e: Engine, _ id: UInt64, _ side: Side, _ quantity: Int64, ticks: Int64, tif: TimeInForce = .goodTillCanceled) -> [EngineEvent] {
        var events: [EngineEvent] = []
        guard let handle = e.orderHandle(integer: id) else { return [] }
        e.process(.new(NewOrder(
            order: handle, trader: e.traderHandle("T"), symbol: e.symbolHandle("X"), side: side, price: Price(micros: ticks * 5_000),
            quantity: quantity, timeInForce: tif, timestamp: 1)), into: &events)
        return events
    }

    static func statuses(_ events: [EngineEvent]) -> [String] {
        events.compactMap { event in
            guard case .report(let r) = event else { return nil }
            return "\(r.order.rawValue) \(r.status.rawValue)\(r.reason.map { " \($0.code)" } ?? "")"
        }
    }

    @Test func idsAreTheirOwnHandles() {
        let e = IntegerOrderIdTests.engine()
        #expect(e.orderHandle(integer: 42)?.rawValue == 42)
        #expect(e.orderId(OrderHandle(rawValue: 42)) == "42")
        #expect(e.orderHandle(integer: Engine.integerOrderIdLimit) == nil)
        #expect(e.orderHandle("7").rawValue == 7)
        #expect(Engine(instruments: [IntegerOrderIdTests.instrument]).orderHandle(integer: 1) == nil)
        // A string that is no integer id cannot be accepted.
        var events: [EngineEvent] = []
        e.process(.new(NewOrder(
            order: e.orderHandle("abc"), trader: e.traderHandle("T"), symbol: e.symbolHandle("X"), side: .buy,
            price: Price(units: 100), quantity: 1, timestamp: 1)), into: &events)
        #expect(IntegerOrderIdTests.statuses(events) == ["4294967295 REJECTED UNKNOWN_ORDER"])
    }

    @Test func usedIdsStayUsedUntilTheSessionCloses() {
        let e = IntegerOrderIdTests.engine()
        #expect(IntegerOrderIdTests.statuses(IntegerOrderIdTests.new(e, 5, .buy, 3, ticks: 20_000)) == ["5 NEW"])
        #expect(IntegerOrderIdTests.statuses(IntegerOrderIdTests.new(e, 5, .buy, 3, ticks: 20_000)) == ["5 REJECTED DUPLICATE_ORDER_ID"])
        for id in 10..<14 as Range<UInt64> { _ = IntegerOrderIdTests.new(e, id, .sell, 1, ticks: 30_000, tif: .immediateOrCancel) }
        // 5 lives; the four finished ids stay used for the rest of the session.
        #expect(e.rememberedOrderIds == 5)
        #expect(IntegerOrderIdTests.statuses(IntegerOrderIdTests.new(e, 10, .sell, 1, ticks: 30_000)) == ["10 REJECTED DUPLICATE_ORDER_ID"])
        var events: [EngineEvent] = []
        e.closeSession(into: &events)
        #expect(events.isEmpty && e.rememberedOrderIds == 1)
        #expect(IntegerOrderIdTests.statuses(IntegerOrderIdTests.new(e, 5, .buy, 3, ticks: 20_000)) == ["5 REJECTED DUPLICATE_ORDER_ID"])
        #expect(IntegerOrderIdTests.statuses(IntegerOrderIdTests.new(e, 13, .sell, 1, ticks: 30_000)) == ["13 NEW"])
        #expect(IntegerOrderIdTests.statuses(IntegerOrderIdTests.new(e, 10, .sell, 1, ticks: 30_000)) == ["10 NEW"])
        #expect(e.restingQuantity(e.symbolHandle("X"), side: .buy, price: Price(micros: 20_000 * 5_000)) == 3)
        #expect(e.restingQuantity(e.symbolHandle("X"), side: .sell, price: Price(micros: 20_000 * 5_000)) == 0)
        #expect(e.restingQuantity(e.symbolHandle("X"), side: .sell, price: Price(micros: 30_000 * 5_000)) == 2)
    }

    @Test func memoryCountsRestingOrdersAndRememberedIds() {
        let e = IntegerOrderIdTests.engine()
        for id in 1...100 as ClosedRange<UInt64> { _ = IntegerOrderIdTests.new(e, id, .buy, 1, ticks: 20_000 - Int64(id)) }
        let m = e.memory()
        #expect(m.openOrders == 100 && m.rememberedIds == 100)
        #expect(m.orderSlots >= 100 && m.orderBytes == m.orderSlots * EngineMemory.bytesPerOrderSlot)
        #expect(EngineMemory.bytesPerOrderSlot >= 64 && EngineMemory.bytesPerOrderSlot <= 96)
        #expect(m.idBytes >= 100 * 4 && m.levelBytes > 0)
    }

    @Test func snapshotsCarryIntegerIdsExactly() throws {
        let e = IntegerOrderIdTests.engine()
        for id in 1...20 as ClosedRange<UInt64> {
            _ = IntegerOrderIdTests.new(e, id * 3, id % 2 == 0 ? .buy : .sell, Int64(id), ticks: 20_000 + Int64(id % 5))
        }
        let restored = try Engine(snapshot: e.snapshot())
        #expect(restored.configuration == e.configuration)
        #expect(restored.rememberedOrderIds == e.rememberedOrderIds)
        #expect(restored.snapshot() == e.snapshot())
        for id in [3, 6, 30, 57, 60, 61, 100] as [UInt64] {
            #expect(IntegerOrderIdTests.new(restored, id, .buy, 50, ticks: 20_004) == IntegerOrderIdTests.new(e, id, .buy, 50, ticks: 20_004))
        }
        #expect(restored.snapshot() == e.snapshot())
        // And after the session closes, on both.
        var events: [EngineEvent] = [], restoredEvents: [EngineEvent] = []
        e.closeSession(into: &events)
        restored.closeSession(into: &restoredEvents)
        #expect(try Engine(snapshot: e.snapshot()).rememberedOrderIds == e.openOrders)
        for id in [3, 6, 30, 57, 60, 61, 100, 101] as [UInt64] {
            #expect(IntegerOrderIdTests.new(restored, id, .sell, 1, ticks: 30_000) == IntegerOrderIdTests.new(e, id, .sell, 1, ticks: 30_000))
        }
        #expect(restored.snapshot() == e.snapshot())
    }
}
