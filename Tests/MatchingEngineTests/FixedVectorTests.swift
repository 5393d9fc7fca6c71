import ExchangeTestSupport
import MatchingEngine
import Testing

@Suite struct FixedVectorTests {
    @Test func glibcRandomMatchesSrand1() {
        var random = GlibcRandom(seed: 1)
        #expect((0..<5).map { _ in random.next() } == [1_804_289_383, 846_930_886, 1_681_692_777, 1_714_636_915, 1_957_747_793])
    }

    /// Issue 3's fixed vector: 100,000 orders give 45,839 trades and FNV-1a-64 `bc44b65bf718798d`.
    @Test func referenceStreamHashesToTheKnownValue() {
        let engine = Engine(instruments: [ReferenceOrder.instrument], configuration: EngineConfiguration(selfTradePrevention: .none))
        let symbol = engine.symbolHandle(ReferenceOrder.instrument.symbol)
        var hash = FNV1a64()
        var trades = 0
        var events: [EngineEvent] = []
        for order in ReferenceOrder.stream(count: 100_000) {
            let handle = engine.orderHandle(String(order.index))
            #expect(handle.rawValue == UInt32(order.index))
            let command = Command.new(NewOrder(
                order: handle, trader: engine.traderHandle("t\(order.index)"), symbol: symbol, side: order.side,
                price: Price(units: order.priceUnits), quantity: order.quantity, timestamp: 0))
            events.removeAll(keepingCapacity: true)
            engine.process(command, into: &events)
            for case .trade(let trade) in events {
                trades += 1
                let resting = trade.aggressor == .buy ? trade.sellOrder : trade.buyOrder
                hash.combine(UInt64(order.index))
                hash.combine(UInt64(resting.rawValue))
                hash.combine(UInt64(trade.price.micros / Price.microsPerUnit))
                hash.combine(UInt64(trade.quantity))
            }
        }
        #expect(trades == 45_839)
        #expect(hash.hex == "bc44b65bf718798d")
    }
}
