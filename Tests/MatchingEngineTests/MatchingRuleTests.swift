import ExchangeTestSupport
import MatchingEngine
import Testing

@Suite struct MatchingRuleTests {
    @Test func restingOrdersGetNew() {
        let h = Harness()
        #expect(h.new("b1", .buy, 10, "159.50") == ["b1 NEW 0/10"])
        #expect(h.new("s1", .sell, 5, "160.50", trader: "B") == ["s1 NEW 0/5"])
        #expect(h.book().bids == ["b1:10@159.5"])
        #expect(h.book().asks == ["s1:5@160.5"])
        let bbo = h.engine.bestBidOffer(h.engine.symbolHandle("AAPL"))
        #expect(bbo.bid == BookLevel(price: Price(parsing: "159.5")!, quantity: 10, orders: 1))
        #expect(bbo.ask == BookLevel(price: Price(parsing: "160.5")!, quantity: 5, orders: 1))
    }

    @Test func priceTimePriorityAndRestingPrice() {
        let h = Harness()
        h.new("s1", .sell, 10, "160.10", trader: "S1")
        h.new("s2", .sell, 10, "160.00", trader: "S2")
        h.new("s3", .sell, 10, "160.00", trader: "S3")
        // Best price first (s2, s3 at 160.00, s2 earlier), then s1; trades at the resting price.
        #expect(h.new("b1", .buy, 25, "160.20", trader: "B") == [
            "b1 NEW 0/25",
            "T1 b1/s2 10@160 agg=BUY", "b1 PARTIALLY_FILLED 10/15 last 10@160", "s2 FILLED 10/0 last 10@160",
            "T2 b1/s3 10@160 agg=BUY", "b1 PARTIALLY_FILLED 20/5 last 10@160", "s3 FILLED 10/0 last 10@160",
            "T3 b1/s1 5@160.1 agg=BUY", "b1 FILLED 25/0 last 5@160.1", "s1 PARTIALLY_FILLED 5/5 last 5@160.1",
        ])
        #expect(h.book().asks == ["s1:5@160.1"])
        let trade = h.trades[2]
        #expect(trade.buyPrice == Price(parsing: "160.2"))
        #expect(trade.sellPrice == Price(parsing: "160.1"))
        #expect(h.engine.traderId(trade.sellTrader) == "S1")
        #expect(h.engine.lastTrade(h.engine.symbolHandle("AAPL")) == LastTrade(price: Price(parsing: "160.1")!, quantity: 5, time: h.time, tradeNumber: 3))
    }

    @Test func neverTradesWorseThanLimit() {
        let h = Harness()
        h.new("s1", .sell, 10, "160.05", trader: "S")
        #expect(h.new("b1", .buy, 10, "160.00", trader: "B") == ["b1 NEW 0/10"])
        #expect(h.book().bids == ["b1:10@160"])
        #expect(h.book().asks == ["s1:10@160.05"])
        // A sell at a lower limit trades at the resting bid's price (160.00), not at its own.
        #expect(h.new("s2", .sell, 4, "159.00", trader: "S")[1] == "T1 b1/s2 4@160 agg=SELL")
    }

    @Test func partialFillRestsRemainder() {
        let h = Harness()
        h.new("s1", .sell, 3, "160", trader: "S")
        #expect(h.new("b1", .buy, 10, "160", trader: "B").last == "s1 FILLED 3/0 last 3@160")
        #expect(h.book().bids == ["b1:7@160"])
        for r in h.reports { #expect(r.quantity == r.filledQuantity + r.leavesQuantity) }
    }

    @Test func marketOrderNeverRests() {
        let h = Harness()
        h.new("s1", .sell, 5, "161", trader: "S")
        #expect(h.new("m1", .buy, 8, nil, trader: "B") == [
            "m1 NEW 0/8", "T1 m1/s1 5@161 agg=BUY", "m1 PARTIALLY_FILLED 5/3 last 5@161", "s1 FILLED 5/0 last 5@161",
            "m1 CANCELED 5/0 NO_LIQUIDITY",
        ])
        #expect(h.trades.first?.buyPrice == nil)
        #expect(h.book().bids.isEmpty)
        #expect(h.new("m2", .sell, 1, nil, trader: "B") == ["m2 NEW 0/1", "m2 CANCELED 0/0 NO_LIQUIDITY"])
    }

    @Test func iocFillsWhatItCanAndCancelsTheRest() {
        let h = Harness()
        h.new("s1", .sell, 5, "160", trader: "S")
        let out = h.new("b1", .buy, 8, "160", trader: "B", tif: .immediateOrCancel)
        #expect(out.last == "b1 CANCELED 5/0 IOC_REMAINDER")
        #expect(h.book().bids.isEmpty && h.book().asks.isEmpty)
    }

    @Test func fokIsAllOrNothing() {
        let h = Harness()
        h.new("s1", .sell, 5, "160", trader: "S")
        h.new("s2", .sell, 5, "160.10", trader: "S")
        #expect(h.new("f1", .buy, 11, "160.10", trader: "B", tif: .fillOrKill) == ["f1 NEW 0/11", "f1 CANCELED 0/0 FOK_UNFILLABLE"])
        #expect(h.book().asks == ["s1:5@160", "s2:5@160.1"])  // untouched
        #expect(h.new("f2", .buy, 10, "160.05", trader: "B", tif: .fillOrKill).last == "f2 CANCELED 0/0 FOK_UNFILLABLE")
        let out = h.new("f3", .buy, 10, "160.10", trader: "B", tif: .fillOrKill)
        #expect(out.last == "s2 FILLED 5/0 last 5@160.1")
        #expect(h.book().asks.isEmpty)
    }

    @Test func gtcRestsAcrossSessionClose() {
        let h = Harness(sessionClose: 21 * 3_600_000, start: 1_700_000_000_000)  // 2023-11-14 22:13 UTC
        h.new("g1", .buy, 10, "150", tif: .goodTillCanceled)
        #expect(h.tick(h.time + 10 * 86_400_000).isEmpty)
        #expect(h.book().bids == ["g1:10@150"])
    }

    @Test func dayOrderExpiresAtTheNextSessionClose() {
        // 1_700_000_000_000 is 2023-11-14 22:13:20 UTC: after today's 21:00 close, so the next close is tomorrow 21:00.
        let h = Harness(sessionClose: 21 * 3_600_000, start: 1_700_000_000_000)
        h.new("d1", .buy, 10, "150", tif: .day)
        let close: Int64 = 1_700_000_000_000 - (1_700_000_000_000 % 86_400_000) + 86_400_000 + 21 * 3_600_000
        #expect(h.engine.openOrder(h.engine.orderHandle("d1"))?.expiresAt == close)
        #expect(h.tick(close - 1).isEmpty)
        #expect(h.tick(close) == ["d1 EXPIRED 0/0 SESSION_CLOSED"])
        #expect(h.reports.first?.timestamp == close)
        #expect(h.book().bids.isEmpty)
    }

    @Test func ttlOrderExpiresAfterValidityMinutesOnAnyLaterCommand() {
        let h = Harness()
        let t0 = h.time
        h.new("t1", .sell, 10, "170", trader: "S", tif: .timeToLive, ttl: 5)
        h.new("t2", .sell, 10, "171", trader: "S", tif: .timeToLive, ttl: 1)
        #expect(h.new("x", .buy, 1, "130", trader: "B", at: t0 + 59_999) == ["x NEW 0/1"])
        // Expiry is driven by the event time of the next command (here a new order), before it is processed.
        #expect(h.new("y", .buy, 1, "130", trader: "B", at: t0 + 60_000) == ["t2 EXPIRED 0/0 TTL_ELAPSED", "y NEW 0/1"])
        #expect(h.tick(t0 + 300_000) == ["t1 EXPIRED 0/0 TTL_ELAPSED"])
        #expect(h.new("t3", .sell, 1, "170", trader: "S", tif: .timeToLive).first == "t3 REJECTED 0/0 MISSING_VALIDITY_TTL")
    }

    @Test func olderTimestampsAreProcessedAtTheEngineClock() {
        let h = Harness()
        h.tick(h.time + 1_000)
        h.new("s1", .sell, 1, "160", trader: "S")
        h.new("b1", .buy, 1, "160", trader: "B", at: h.time - 50_000)
        #expect(h.engine.clock == h.time + 1_000)
        #expect(h.trades.first?.time == h.time + 1_000)
        #expect(h.reports.allSatisfy { $0.timestamp == h.time + 1_000 })
    }

    @Test func cancelByOwnerOnly() {
        let h = Harness()
        h.new("b1", .buy, 10, "150", trader: "A")
        #expect(h.cancel("b1", trader: "B") == ["b1 REJECTED 0/10 NOT_OWNER"])
        #expect(h.reports.first?.cause == .cancel)
        #expect(h.engine.traderId(h.reports[0].trader) == "B")
        #expect(h.cancel("b1", trader: "A", side: .sell) == ["b1 REJECTED 0/10 SIDE_MISMATCH"])
        #expect(h.cancel("b1", trader: "A", symbol: "GOOG") == ["b1 REJECTED 0/10 SYMBOL_MISMATCH"])
        #expect(h.cancel("b1", trader: "A") == ["b1 CANCELED 0/0 CANCELED_BY_TRADER"])
        #expect(h.cancel("b1", trader: "A") == ["b1 REJECTED 0/0 UNKNOWN_ORDER"])
        #expect(h.cancel("nope") == ["nope REJECTED 0/0 UNKNOWN_ORDER"])
        #expect(h.book().bids.isEmpty)
    }

    @Test func quantityDecreaseKeepsPriority() {
        let h = Harness()
        h.new("b1", .buy, 10, "150", trader: "A")
        h.new("b2", .buy, 10, "150", trader: "B")
        #expect(h.modify("b1", quantity: 4, trader: "A") == ["b1 REPLACED 0/4"])
        #expect(h.book().bids == ["b1:4@150", "b2:10@150"])
        #expect(h.engine.depth(h.engine.symbolHandle("AAPL"), levels: 1).bids == [BookLevel(price: Price(units: 150), quantity: 14, orders: 2)])
    }

    @Test func quantityIncreaseLosesPriority() {
        let h = Harness()
        h.new("b1", .buy, 10, "150", trader: "A")
        h.new("b2", .buy, 10, "150", trader: "B")
        #expect(h.modify("b1", quantity: 12, trader: "A") == ["b1 REPLACED 0/12"])
        #expect(h.book().bids == ["b2:10@150", "b1:12@150"])
    }

    @Test func priceChangeLosesPriorityAndCanTrade() {
        let h = Harness()
        h.new("b1", .buy, 10, "150", trader: "A")
        h.new("b2", .buy, 10, "150", trader: "B")
        h.modify("b1", price: "150.01", trader: "A")
        h.modify("b1", price: "150", trader: "A")
        #expect(h.book().bids == ["b2:10@150", "b1:10@150"])
        h.new("s1", .sell, 4, "151", trader: "C")
        #expect(h.modify("b1", price: "151", trader: "A") == [
            "b1 REPLACED 0/10", "T1 b1/s1 4@151 agg=BUY", "b1 PARTIALLY_FILLED 4/6 last 4@151", "s1 FILLED 4/0 last 4@151",
        ])
        #expect(h.book().bids == ["b1:6@151", "b2:10@150"])
    }

    @Test func modifyRulesAndRejections() {
        let h = Harness()
        h.new("s1", .sell, 4, "150", trader: "S")
        h.new("b1", .buy, 10, "150", trader: "A")  // fills 4, rests 6
        #expect(h.modify("b1", quantity: 4, trader: "A") == ["b1 REJECTED 4/6 INVALID_MODIFICATION"])
        #expect(h.modify("b1", quantity: 3, trader: "A") == ["b1 REJECTED 4/6 INVALID_MODIFICATION"])
        #expect(h.modify("b1", trader: "A") == ["b1 REJECTED 4/6 INVALID_MODIFICATION"])
        #expect(h.modify("b1", price: "150.005", trader: "A") == ["b1 REJECTED 4/6 OFF_TICK"])
        #expect(h.modify("b1", price: "500", trader: "A") == ["b1 REJECTED 4/6 OUTSIDE_PRICE_BAND"])
        #expect(h.modify("b1", quantity: 0, trader: "A") == ["b1 REJECTED 4/6 NON_POSITIVE_QUANTITY"])
        #expect(h.modify("b1", quantity: 8, trader: "Z") == ["b1 REJECTED 4/6 NOT_OWNER"])
        #expect(h.modify("zz", quantity: 8) == ["zz REJECTED 0/0 UNKNOWN_ORDER"])
        #expect(h.modify("b1", quantity: 5, trader: "A") == ["b1 REPLACED 4/1"])
        #expect(h.book().bids == ["b1:1@150"])
    }

    @Test func newOrderRejectionReasons() {
        let h = Harness(instruments: [
            Instrument(symbol: "LOT", tickSize: Price(micros: 50_000), lotSize: 10, referencePrice: Price(units: 100),
                       priceBand: PriceBand(lower: Price(units: 80), upper: Price(units: 120))),
        ])
        func reason(_ out: [String]) -> String { out.first?.split(separator: " ").last.map(String.init) ?? "" }
        #expect(reason(h.new("a", .buy, 10, "100", symbol: "NOPE")) == "UNKNOWN_SYMBOL")
        #expect(reason(h.new("a", .buy, 10, "100.01", symbol: "LOT")) == "OFF_TICK")
        #expect(reason(h.new("a", .buy, 15, "100", symbol: "LOT")) == "OFF_LOT")
        #expect(reason(h.new("a", .buy, 10, "120.05", symbol: "LOT")) == "OUTSIDE_PRICE_BAND")
        #expect(reason(h.new("a", .buy, 10, "79.95", symbol: "LOT")) == "OUTSIDE_PRICE_BAND")
        #expect(reason(h.new("a", .buy, 0, "100", symbol: "LOT")) == "NON_POSITIVE_QUANTITY")
        #expect(reason(h.new("a", .buy, -10, "100", symbol: "LOT")) == "NON_POSITIVE_QUANTITY")
        #expect(reason(h.new("a", .buy, 10, "-1", symbol: "LOT")) == "NON_POSITIVE_PRICE")
        #expect(reason(h.new("a", .buy, 2_000_000_000_000, "100", symbol: "LOT")) == "QUANTITY_TOO_LARGE")
        #expect(reason(h.new("a", .buy, 10, nil, symbol: "LOT", type: .limit)) == "MISSING_PRICE")
        #expect(reason(h.new("a", .buy, 10, "100", symbol: "LOT", type: .market)) == "UNEXPECTED_PRICE")
        #expect(h.new("a", .buy, 10, "120", symbol: "LOT") == ["a NEW 0/10"])
        #expect(reason(h.new("a", .sell, 10, "120", trader: "B", symbol: "LOT")) == "DUPLICATE_ORDER_ID")
        h.cancel("a", symbol: "LOT")
        // An id stays used after its order is done.
        #expect(reason(h.new("a", .buy, 10, "100", symbol: "LOT")) == "DUPLICATE_ORDER_ID")
        for r in h.reports { #expect(r.status == .rejected) }
    }

    @Test func rejectedIdCanBeUsedAgain() {
        let h = Harness()
        h.new("r1", .buy, 10, "160.001")
        #expect(h.new("r1", .buy, 10, "160") == ["r1 NEW 0/10"])
    }

    @Test func unbandedBookGrowsAndRejectsFarPrices() {
        let free = Instrument(symbol: "FREE", tickSize: Price(micros: 10_000), referencePrice: Price(units: 100))
        let h = Harness(instruments: [free])
        h.new("a", .buy, 1, "100", symbol: "FREE")
        h.new("b", .buy, 1, "1", symbol: "FREE")
        h.new("c", .sell, 1, "5000", trader: "B", symbol: "FREE")
        #expect(h.book("FREE").bids == ["a:1@100", "b:1@1"])
        #expect(h.book("FREE").asks == ["c:1@5000"])
        #expect(h.new("d", .sell, 1, "90000", trader: "B", symbol: "FREE") == ["d REJECTED 0/0 PRICE_OUT_OF_RANGE"])
        #expect(h.new("e", .sell, 2, "1", trader: "B", symbol: "FREE").contains("T1 a/e 1@100 agg=SELL"))
    }

    @Test(arguments: [SelfTradePrevention.none, .cancelResting, .cancelIncoming, .cancelBoth])
    func selfTradePrevention(_ policy: SelfTradePrevention) {
        let h = Harness(stp: policy)
        h.new("s1", .sell, 5, "160", trader: "B")
        h.new("s2", .sell, 5, "160", trader: "A")
        h.new("s3", .sell, 5, "160", trader: "C")
        let out = h.new("b1", .buy, 15, "160", trader: "A")
        switch policy {
        case .none:
            #expect(out.contains("T2 b1/s2 5@160 agg=BUY"))
            #expect(out.last == "s3 FILLED 5/0 last 5@160")
            #expect(h.book().asks.isEmpty)
        case .cancelResting:
            #expect(out.contains("s2 CANCELED 0/0 SELF_TRADE_PREVENTED"))
            #expect(out.contains("T2 b1/s3 5@160 agg=BUY"))
            #expect(h.book().bids == ["b1:5@160"])
            #expect(h.book().asks.isEmpty)
        case .cancelIncoming:
            #expect(out.last == "b1 CANCELED 5/0 SELF_TRADE_PREVENTED")
            #expect(h.book().asks == ["s2:5@160", "s3:5@160"])
            #expect(h.book().bids.isEmpty)
        case .cancelBoth:
            #expect(Array(out.suffix(2)) == ["s2 CANCELED 0/0 SELF_TRADE_PREVENTED", "b1 CANCELED 5/0 SELF_TRADE_PREVENTED"])
            #expect(h.book().asks == ["s3:5@160"])
        }
    }

    @Test func fokRespectsSelfTradePrevention() {
        let h = Harness(stp: .cancelIncoming)
        h.new("s1", .sell, 5, "160", trader: "A")
        h.new("s2", .sell, 5, "160", trader: "B")
        #expect(h.new("f", .buy, 5, "160", trader: "A", tif: .fillOrKill).last == "f CANCELED 0/0 FOK_UNFILLABLE")
        let r = Harness(stp: .cancelResting)
        r.new("s1", .sell, 5, "160", trader: "A")
        r.new("s2", .sell, 5, "160", trader: "B")
        #expect(r.new("f", .buy, 5, "160", trader: "A", tif: .fillOrKill).last == "s2 FILLED 5/0 last 5@160")
    }

    @Test func depthAggregatesTopLevels() {
        let h = Harness()
        h.new("b1", .buy, 1, "150", trader: "A")
        h.new("b2", .buy, 2, "150", trader: "B")
        h.new("b3", .buy, 3, "149", trader: "A")
        h.new("b4", .buy, 4, "148", trader: "A")
        h.new("s1", .sell, 5, "151", trader: "C")
        let depth = h.engine.depth(h.engine.symbolHandle("AAPL"), levels: 2)
        #expect(depth.bids == [BookLevel(price: Price(units: 150), quantity: 3, orders: 2), BookLevel(price: Price(units: 149), quantity: 3, orders: 1)])
        #expect(depth.asks == [BookLevel(price: Price(units: 151), quantity: 5, orders: 1)])
    }
}
