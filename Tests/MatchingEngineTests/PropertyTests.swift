import ExchangeTestSupport
import MatchingEngine
import PropertyBased
import Testing

/// Random command sequences, decoded from generated integers so shrinking removes commands.
struct Script {
    enum Step {
        case new(id: String, trader: String, side: Side, type: OrderType, price: String?, quantity: Int64, tif: TimeInForce, ttl: Int64?, time: Int64)
        case cancel(id: String, trader: String, time: Int64)
        case modify(id: String, trader: String, price: String?, quantity: Int64?, time: Int64)
        case tick(time: Int64)
    }

    var policy: SelfTradePrevention
    var steps: [Step] = []

    init(_ ints: [Int]) {
        policy = SelfTradePrevention.allCases[(ints.first ?? 0) % 4]
        var time: Int64 = 1_700_000_000_000
        var issued = 0
        for raw in ints {
            // Each integer seeds a SplitMix64 stream that decides one command.
            var state = UInt64(truncatingIfNeeded: raw)
            func take(_ n: Int) -> Int {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return Int((z ^ (z >> 31)) % UInt64(n))
            }
            let op = take(20)
            let trader = "T\(take(4))"
            time += Int64(take(40)) * 1_000
            let stamp = take(10) == 0 ? time - 5_000 : time  // sometimes an older timestamp
            let known = issued == 0 ? "o0" : "o\(take(issued))"
            let tick = 16_000 + take(21) - 10  // around 160.00 in ticks of 0.01
            var price = "\(tick / 100).\(String(format2: tick % 100))"
            if take(40) == 0 { price += "5" }  // off tick (0.005)
            if take(60) == 0 { price = "500" }  // outside band
            let quantity = Int64(take(12)) + (take(30) == 0 ? -1 : 1)
            switch op {
            case 0..<9:
                let tif = TimeInForce.allCases[take(5)]
                let id = take(25) == 0 ? known : "o\(issued)"
                if id == "o\(issued)" { issued += 1 }
                steps.append(.new(id: id, trader: trader, side: take(2) == 0 ? .buy : .sell, type: .limit, price: price,
                                  quantity: quantity, tif: tif, ttl: tif == .timeToLive ? Int64(take(3)) + 1 : nil, time: stamp))
            case 9:
                steps.append(.new(id: "o\(issued)", trader: trader, side: take(2) == 0 ? .buy : .sell, type: .market, price: nil,
                                  quantity: quantity, tif: take(2) == 0 ? .immediateOrCancel : .fillOrKill, ttl: nil, time: stamp))
                issued += 1
            case 10..<14:
                steps.append(.cancel(id: known, trader: trader, time: stamp))
            case 14..<18:
                let what = take(3)
                steps.append(.modify(id: known, trader: trader, price: what != 1 ? price : nil,
                                     quantity: what != 0 ? quantity + Int64(take(3)) : nil, time: stamp))
            default:
                // Sometimes past the session close (the scripts start at 22:13 UTC, the close is at 21:00), which
                // expires DAY orders and forgets the finished ids: the scripts then reuse ids and their handles.
                time += take(4) == 0 ? 86_400_000 : Int64(take(5)) * 60_000
                steps.append(.tick(time: time))
            }
        }
    }

    func command(_ step: Step, on engine: Engine) -> Command {
        let symbol = engine.symbolHandle("AAPL")
        switch step {
        case .new(let id, let trader, let side, let type, let price, let quantity, let tif, let ttl, let time):
            return .new(NewOrder(order: engine.orderHandle(id), trader: engine.traderHandle(trader), symbol: symbol, side: side,
                                 type: type, price: price.flatMap { Price(parsing: $0) }, quantity: quantity, timeInForce: tif,
                                 validityTTLMinutes: ttl, timestamp: time))
        case .cancel(let id, let trader, let time):
            return .cancel(CancelOrder(order: engine.orderHandle(id), trader: engine.traderHandle(trader), symbol: symbol, timestamp: time))
        case .modify(let id, let trader, let price, let quantity, let time):
            return .modify(ModifyOrder(order: engine.orderHandle(id), trader: engine.traderHandle(trader), symbol: symbol,
                                       price: price.flatMap { Price(parsing: $0) }, quantity: quantity, timestamp: time))
        case .tick(let time):
            return .tick(timestamp: time)
        }
    }

    func engine() -> Engine {
        Engine(instruments: InstrumentCatalog.seed, configuration: EngineConfiguration(selfTradePrevention: policy))
    }

    /// Runs steps on an engine, returning per-step events with handles turned into strings.
    func run(_ steps: some Sequence<Step>, on engine: Engine, check: ((Engine, [EngineEvent]) -> Void)? = nil) -> [String] {
        var out: [String] = []
        var events: [EngineEvent] = []
        for step in steps {
            events.removeAll()
            engine.process(command(step, on: engine), into: &events)
            check?(engine, events)
            out.append(events.map { describe($0, engine) }.joined(separator: "|"))
            engine.releaseForgottenOrderIds()
        }
        return out
    }

    func describe(_ event: EngineEvent, _ engine: Engine) -> String {
        switch event {
        case .trade(let t):
            return "T\(t.tradeNumber):\(engine.orderId(t.buyOrder))/\(engine.orderId(t.sellOrder)):\(t.quantity)@\(t.price):\(t.time)"
        case .report(var r):
            let id = engine.orderId(r.order)
            r.order = OrderHandle(rawValue: 0)
            return "\(id):\(engine.traderId(r.trader)):\(r)"
        }
    }
}

extension String {
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}

let scripts = Gen.int(in: 0...Int(Int32.max) * 4096).array(of: 1...250)

@Suite struct PropertyTests {
    @Test func invariantsHoldAfterEveryCommand() async {
        await propertyCheck(count: 150, input: scripts) { ints in
            let script = Script(ints)
            let engine = script.engine()
            let aapl = engine.symbolHandle("AAPL")
            var filledByOrder: [OrderHandle: Int64] = [:]
            var quantityByOrder: [OrderHandle: Int64] = [:]
            var entry: [OrderHandle: Int] = [:]  // queue-entry counter per order, for FIFO
            var lastTerms: [OrderHandle: (Price?, Int64)] = [:]
            var counter = 0
            var buyFills: Int64 = 0
            var sellFills: Int64 = 0
            var tradeQuantity: Int64 = 0
            _ = script.run(script.steps, on: engine) { engine, events in
                for event in events {
                    switch event {
                    case .trade(let t):
                        tradeQuantity += t.quantity
                        #expect(t.quantity > 0)
                        if let buy = t.buyPrice { #expect(t.price <= buy) }
                        if let sell = t.sellPrice { #expect(t.price >= sell) }
                        #expect(t.price == (t.aggressor == .buy ? t.sellPrice : t.buyPrice))  // resting order's price
                        #expect(t.buyTrader != t.sellTrader || script.policy == .none)
                    case .report(let r):
                        // A handle freed by a forgotten id may name a new order now.
                        if r.status == .new { filledByOrder[r.order] = 0 }
                        #expect(r.filledQuantity >= 0 && r.leavesQuantity >= 0)
                        if r.status != .rejected { #expect(r.filledQuantity <= r.quantity) }
                        switch r.status {
                        case .new, .partiallyFilled, .replaced:
                            #expect(r.quantity == r.filledQuantity + r.leavesQuantity)
                        case .filled:
                            #expect(r.quantity == r.filledQuantity && r.leavesQuantity == 0)
                        case .canceled, .expired:
                            #expect(r.leavesQuantity == 0)
                        case .rejected:
                            break
                        }
                        if r.lastQuantity > 0 {
                            filledByOrder[r.order, default: 0] += r.lastQuantity
                            if r.side == .buy { buyFills += r.lastQuantity } else { sellFills += r.lastQuantity }
                            #expect(filledByOrder[r.order] == r.filledQuantity)
                        }
                        if r.status != .rejected { quantityByOrder[r.order] = r.quantity }
                        if r.status == .new {
                            counter += 1
                            entry[r.order] = counter
                            lastTerms[r.order] = (r.price, r.quantity)
                        } else if r.status == .replaced {
                            if let (price, quantity) = lastTerms[r.order], price != r.price || r.quantity > quantity {
                                counter += 1
                                entry[r.order] = counter
                            }
                            lastTerms[r.order] = (r.price, r.quantity)
                        }
                    }
                }
                #expect(buyFills == sellFills && buyFills == tradeQuantity)
                let bbo = engine.bestBidOffer(aapl)
                if let bid = bbo.bid, let ask = bbo.ask { #expect(bid.price < ask.price, "book crossed") }
                let book = engine.orderBook(aapl)
                for side in [book.bids, book.asks] {
                    for (a, b) in zip(side, side.dropFirst()) where a.price == b.price {
                        #expect((entry[a.order] ?? 0) < (entry[b.order] ?? 0), "FIFO broken within a level")
                    }
                    for order in side { #expect(order.leavesQuantity > 0) }
                }
                #expect(book.bids.map(\.price) == book.bids.map(\.price).sorted(by: >))
                #expect(book.asks.map(\.price) == book.asks.map(\.price).sorted())
            }
            for (order, filled) in filledByOrder { #expect(filled <= quantityByOrder[order] ?? 0) }
        }
    }

    @Test func sameInputGivesByteIdenticalOutput() async {
        await propertyCheck(count: 60, input: scripts) { ints in
            let script = Script(ints)
            let a = script.engine()
            let b = script.engine()
            #expect(script.run(script.steps, on: a) == script.run(script.steps, on: b))
            #expect(a.snapshot() == b.snapshot())
        }
    }

    /// `process(_:into:)` with a sink of the caller's own type hands it the events an array gets, in the same order.
    @Test func aSinkGetsTheEventsAnArrayGets() async {
        struct Collector: EngineEventSink {
            var events: [EngineEvent] = []
            mutating func append(_ event: EngineEvent) { events.append(event) }
        }
        await propertyCheck(count: 60, input: scripts) { ints in
            let script = Script(ints)
            let a = script.engine()
            let b = script.engine()
            for step in script.steps {
                var array: [EngineEvent] = []
                a.process(script.command(step, on: a), into: &array)
                var sink = Collector()
                b.process(script.command(step, on: b), into: &sink)
                #expect(sink.events == array)
                a.releaseForgottenOrderIds()
                b.releaseForgottenOrderIds()
            }
            #expect(a.snapshot() == b.snapshot())
        }
    }

    @Test func snapshotRestoreContinuesIdentically() async {
        await propertyCheck(count: 100, input: scripts, Gen.int(in: 0...250)) { ints, cutRaw in
            let script = Script(ints)
            let cut = min(cutRaw, script.steps.count)
            let straight = script.engine()
            let all = script.run(script.steps, on: straight)
            let first = script.engine()
            _ = script.run(script.steps[..<cut], on: first)
            let bytes = first.snapshot()
            let restored: Engine
            do { restored = try Engine(snapshot: bytes) } catch {
                Issue.record("restore failed: \(error)")
                return
            }
            #expect(restored.snapshot() == bytes)
            let rest = script.run(script.steps[cut...], on: restored)
            #expect(Array(all[cut...]) == rest)
            #expect(restored.snapshot() == straight.snapshot())
        }
    }
}

@Suite struct ScriptCoverageTests {
    /// Guards the generator: random scripts must actually reach trades, expiries, replaces, STP and rejections.
    @Test func scriptsExerciseTheRules() {
        var random = GlibcRandom(seed: 42)
        var statuses: [OrderStatus: Int] = [:]
        var reasons: Set<Reason> = []
        var trades = 0
        var reusedIds = 0  // accepted again after a session close forgot them
        for _ in 0..<40 {
            let ints = (0..<250).map { _ in Int(random.next()) * 4096 + Int(random.next() % 4096) }
            let script = Script(ints)
            let engine = script.engine()
            var accepted: Set<String> = []
            _ = script.run(script.steps, on: engine) { engine, events in
                for event in events {
                    switch event {
                    case .trade: trades += 1
                    case .report(let r):
                        if r.status == .new && !accepted.insert(engine.orderId(r.order)).inserted { reusedIds += 1 }
                        statuses[r.status, default: 0] += 1
                        if let reason = r.reason { reasons.insert(reason) }
                    }
                }
            }
        }
        #expect(trades > 100)
        #expect(reusedIds > 0)
        for status in OrderStatus.allCases { #expect(statuses[status, default: 0] > 0, "no \(status.rawValue)") }
        for reason: Reason in [.selfTradePrevented, .ttlElapsed, .offTick, .outsidePriceBand, .nonPositiveQuantity, .duplicateOrderId,
                               .notOwner, .unknownOrder, .invalidModification, .fillOrKillUnfillable, .immediateOrCancel, .noLiquidity] {
            #expect(reasons.contains(reason), "no \(reason.code)")
        }
    }
}
