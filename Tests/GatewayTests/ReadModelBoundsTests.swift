import ExchangeRecords
import Gateway
import Testing

/// The read model keeps every open order but only the newest finished orders and fills per trader.
@Suite struct ReadModelBoundsTests {
    /// Orders in `GET /orders` for `trader`, by id.
    static func listed(_ model: ReadModel, _ trader: String) -> [String] {
        guard case .array(let orders) = model.orders(trader: trader) else { return [] }
        return orders.compactMap { if case .string(let id)? = $0["order_id"] { id } else { nil } }
    }

    static func trade(_ n: Int, seq: Int64) -> TradeEvent {
        TradeEvent(
            tradeId: "0-\(n)", symbol: "AAPL", priceMicros: 160_000_000, quantity: 1, buyOrderId: "b\(n)", sellOrderId: "s\(n)",
            buyTraderId: "alice", sellTraderId: "bob", aggressorSide: "BUY", tradeTime: 1_700_000_000_000 + Int64(n), seq: seq)
    }

    @Test func oldestFinishedOrdersAreEvictedPastTheCapOpenOnesStay() {
        let model = ReadModel(terminalOrdersPerTrader: 3, tradesPerTrader: 100)
        var seq: Int64 = 0
        func next() -> Int64 { seq += 1; return seq }
        model.apply(report("open-1", status: "NEW", seq: next()))
        for i in 1...5 { model.apply(report("done-\(i)", status: "NEW", seq: next())) }
        model.apply(report("bob-1", trader: "bob", status: "NEW", seq: next()))
        model.apply(report("bob-1", trader: "bob", status: "CANCELED", leaves: 0, seq: next()))
        // Finish them in the order 2, 1, 3, 5, 4: eviction follows when they finished, not when they were placed.
        for i in [2, 1, 3, 5, 4] {
            model.apply(report("done-\(i)", status: "FILLED", filled: 10, leaves: 0, seq: next()))
        }
        #expect(ReadModelBoundsTests.listed(model, "alice") == ["open-1", "done-3", "done-4", "done-5"])
        #expect(model.order("done-2", trader: "alice") == nil)
        #expect(model.order("done-1", trader: "alice") == nil)
        #expect(model.order("done-5", trader: "alice")?["status"] == .string("FILLED"))
        #expect(model.order("open-1", trader: "alice")?["status"] == .string("NEW"))
        // Another trader's orders are counted against their own cap only.
        #expect(ReadModelBoundsTests.listed(model, "bob") == ["bob-1"])
        #expect(model.counts.ordersEvicted == 2)
        #expect(model.counts.orders == 5)
    }

    @Test func manyOrdersKeepMemoryAtTheCap() {
        let model = ReadModel(terminalOrdersPerTrader: 10, tradesPerTrader: 100)
        var seq: Int64 = 0
        for i in 0..<5_000 {
            seq += 1
            model.apply(report("o\(i)", status: "NEW", seq: seq))
            seq += 1
            model.apply(report("o\(i)", status: i % 2 == 0 ? "FILLED" : "EXPIRED", filled: i % 2 == 0 ? 10 : 0, leaves: 0, seq: seq))
        }
        #expect(model.counts.orders == 10)
        #expect(model.counts.ordersEvicted == 4_990)
        #expect(ReadModelBoundsTests.listed(model, "alice") == (4_990..<5_000).map { "o\($0)" })
    }

    /// Accepted orders the matcher has not reported yet are all kept and found, however many (the order table
    /// grows in shards); reports then finish them and the cap applies as usual.
    @Test func manyPendingOrdersAreAllKeptAndFound() {
        let model = ReadModel(terminalOrdersPerTrader: 100, tradesPerTrader: 100)
        let count = 20_000
        for i in 0..<count {
            model.recordAccepted(
                NewOrder(
                    orderId: "p\(i)", traderId: "alice", stockSymbol: "AAPL", side: .buy, orderType: .limit, price: FixedDecimal("150"),
                    quantity: 10, timeInForce: .goodTillCanceled, timestamp: 1_700_000_000_000))
        }
        #expect(model.counts.orders == count)
        #expect((0..<count).allSatisfy { model.order("p\($0)", trader: "alice")?["status"] == .string("PENDING") })
        #expect(model.order("p0", trader: "bob") == nil)
        #expect(ReadModelBoundsTests.listed(model, "alice") == (0..<count).map { "p\($0)" })
        var seq: Int64 = 0
        for i in 0..<count {
            seq += 1
            model.apply(report("p\(i)", status: "CANCELED", leaves: 0, seq: seq))
        }
        #expect(model.counts.orders == 100)
        #expect(model.counts.ordersEvicted == Int64(count - 100))
        #expect(ReadModelBoundsTests.listed(model, "alice") == (count - 100..<count).map { "p\($0)" })
    }

    @Test func onlyTheNewestFillsAreKeptPerTrader() {
        let model = ReadModel(terminalOrdersPerTrader: 100, tradesPerTrader: 2)
        for n in 1...5 { model.apply(ReadModelBoundsTests.trade(n, seq: Int64(n))) }
        for trader in ["alice", "bob"] {
            guard case .array(let trades) = model.trades(trader: trader) else { Issue.record("no trades"); continue }
            #expect(trades.map { $0["trade_id"] } == [.string("0-4"), .string("0-5")])
        }
        #expect(model.counts.tradesEvicted == 6)
        #expect(model.counts.tradesApplied == 5)
    }
}
