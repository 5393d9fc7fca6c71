import ExchangeTestSupport
import MatchingEngine

/// Drives an engine with string ids and renders events as short readable lines for assertions.
final class Harness {
    let engine: Engine
    var time: Int64
    var events: [EngineEvent] = []

    init(
        stp: SelfTradePrevention = .cancelIncoming, instruments: [Instrument] = InstrumentCatalog.seed,
        sessionClose: Int64 = 21 * 3_600_000, start: Int64 = 1_700_000_000_000
    ) {
        engine = Engine(
            instruments: instruments, configuration: EngineConfiguration(selfTradePrevention: stp, sessionCloseMillisOfDay: sessionClose))
        time = start
    }

    /// Runs one command and returns its events rendered, e.g. "T1 b1/s1 10@160 agg=BUY" or "s1 FILLED 10/0 last 10@160".
    @discardableResult
    func run(_ command: Command) -> [String] {
        events.removeAll()
        engine.process(command, into: &events)
        return events.map(render)
    }

    @discardableResult
    func new(
        _ id: String, _ side: Side, _ quantity: Int64, _ price: String?, trader: String? = "A", symbol: String = "AAPL",
        type: OrderType? = nil, tif: TimeInForce = .goodTillCanceled, ttl: Int64? = nil, expireAt: Int64? = nil,
        at timestamp: Int64? = nil
    ) -> [String] {
        run(.new(NewOrder(
            order: engine.orderHandle(id), trader: trader.map(engine.traderHandle) ?? .unattributed, symbol: engine.symbolHandle(symbol),
            side: side, type: type ?? (price == nil ? .market : .limit), price: price.flatMap { Price(parsing: $0) },
            quantity: quantity, timeInForce: tif, validityTTLMinutes: ttl, expireAt: expireAt, timestamp: timestamp ?? time)))
    }

    @discardableResult
    func cancel(_ id: String, trader: String = "A", symbol: String = "AAPL", side: Side? = nil, at timestamp: Int64? = nil) -> [String] {
        run(.cancel(CancelOrder(
            order: engine.orderHandle(id), trader: engine.traderHandle(trader), symbol: engine.symbolHandle(symbol), side: side,
            timestamp: timestamp ?? time)))
    }

    @discardableResult
    func modify(
        _ id: String, price: String? = nil, quantity: Int64? = nil, trader: String = "A", symbol: String = "AAPL", side: Side? = nil,
        at timestamp: Int64? = nil
    ) -> [String] {
        run(.modify(ModifyOrder(
            order: engine.orderHandle(id), trader: engine.traderHandle(trader), symbol: engine.symbolHandle(symbol), side: side,
            price: price.flatMap { Price(parsing: $0) }, quantity: quantity, timestamp: timestamp ?? time)))
    }

    @discardableResult
    func tick(_ timestamp: Int64) -> [String] { run(.tick(timestamp: timestamp)) }

    var reports: [ExecutionReport] { events.compactMap { if case .report(let r) = $0 { r } else { nil } } }
    var trades: [Trade] { events.compactMap { if case .trade(let t) = $0 { t } else { nil } } }

    func render(_ event: EngineEvent) -> String {
        switch event {
        case .trade(let t):
            return "T\(t.tradeNumber) \(engine.orderId(t.buyOrder))/\(engine.orderId(t.sellOrder)) \(t.quantity)@\(t.price) agg=\(t.aggressor.rawValue)"
        case .report(let r):
            var line = "\(engine.orderId(r.order)) \(r.status.rawValue) \(r.filledQuantity)/\(r.leavesQuantity)"
            if let reason = r.reason { line += " \(reason.code)" }
            if r.lastQuantity > 0, let price = r.lastPrice { line += " last \(r.lastQuantity)@\(price)" }
            return line
        }
    }

    /// L3 as "id:leaves@price" lists, best first.
    func book(_ symbol: String = "AAPL") -> (bids: [String], asks: [String]) {
        let snapshot = engine.orderBook(engine.symbolHandle(symbol))
        let show = { (o: RestingOrder) in "\(self.engine.orderId(o.order)):\(o.leavesQuantity)@\(o.price)" }
        return (snapshot.bids.map(show), snapshot.asks.map(show))
    }
}
