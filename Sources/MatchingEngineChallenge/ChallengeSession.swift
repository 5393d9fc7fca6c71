import MatchingEngine

/// One run of the challenge: the engine, set up once for the challenge's contract, the harness's messages as its
/// commands, and a `ChallengeReportWriter` that turns its events into the challenge's six reports as they are made.
///
/// The engine's own rules apply unchanged; the contract needs exactly these settings, all made in
/// `ChallengeSession.configuration` and `init`:
/// - order ids are the harness's integers (`EngineConfiguration.integerOrderIds`);
/// - one run of the harness is one trading session (its messages carry no time, so the engine's clock never reaches
///   a session close), and an id the engine accepted stays used for all of it, as the engine's rule has it (1 bit per
///   id, and no work per order to remember one);
/// - orders are anonymous and may trade with one another: one participant owns them all (so it may cancel and
///   modify each) and self-trade prevention is off;
/// - one instrument whose tick is the challenge's $0.005 and which has no price band (the workload's price path is
///   not known in advance: the ladder grows);
/// - a modify gives the reinserted order `new_quantity` open, so the engine's modify, whose quantity is the new
///   total including what has filled, is asked for filled + `new_quantity`.
final class ChallengeSession {
    /// One challenge tick: $0.005.
    static let tickMicros: Int64 = 5_000
    static let symbol = "MEB"
    static let participant = "challenge"

    /// The engine settings the contract needs (see the type's comment).
    static let configuration = EngineConfiguration(selfTradePrevention: .none, integerOrderIds: true)

    let engine: Engine
    let symbol: SymbolHandle
    let trader: TraderHandle
    /// Turns the engine's events into reports as the engine makes them (no event is stored).
    @exclusivity(unchecked) private var reports: ChallengeReportWriter
    /// New orders the engine refused (an id out of range, a price off its grid): the contract has no report for
    /// them, so they are counted here and visible to tests.
    var refusedNewOrders: Int { reports.refusedNewOrders }

    init(push: ChallengeTransport.Push, sink: UnsafeMutableRawPointer?, ring: ChallengeReportRing? = nil) {
        let instrument = Instrument(
            symbol: ChallengeSession.symbol, name: "matching-engine challenge", tickSize: Price(micros: ChallengeSession.tickMicros),
            referencePrice: Price(micros: 33_504 * ChallengeSession.tickMicros))
        engine = Engine(instruments: [instrument], configuration: ChallengeSession.configuration, expectedOrders: 1 << 16)
        engine.reserveOrderIds(1 << 21)
        symbol = engine.symbolHandle(ChallengeSession.symbol)
        trader = engine.traderHandle(ChallengeSession.participant)
        reports = ChallengeReportWriter(push: push, sink: sink, ring: ring)
    }

    // MARK: Messages

    @inline(__always)
    func newOrder(_ message: UnsafeRawPointer) {
        let order = message.load(as: ChallengeNewOrder.self)
        guard let handle = engine.orderHandle(integer: order.orderId) else {
            reports.refusedNewOrders += 1
            return
        }
        run(.new(NewOrder(
            order: handle, trader: trader, symbol: symbol, side: order.side == 0 ? .buy : .sell, type: .limit,
            price: ChallengeSession.price(ticks: order.priceTicks), quantity: Int64(order.quantity),
            timeInForce: order.ioc != 0 ? .immediateOrCancel : .goodTillCanceled, timestamp: 0)),
            sequence: order.sequenceNumber, orderId: order.orderId)
    }

    @inline(__always)
    func cancel(_ message: UnsafeRawPointer) {
        let cancel = message.load(as: ChallengeCancel.self)
        // An id the engine cannot hold was never accepted: the engine answers a handle it never issued with a reject.
        let handle = engine.orderHandle(integer: cancel.orderId) ?? OrderHandle(rawValue: .max)
        run(.cancel(CancelOrder(order: handle, trader: trader, symbol: symbol, timestamp: 0)),
            sequence: cancel.sequenceNumber, orderId: cancel.orderId)
    }

    @inline(__always)
    func modify(_ message: UnsafeRawPointer) {
        let modify = message.load(as: ChallengeModify.self)
        let handle = engine.orderHandle(integer: modify.orderId) ?? OrderHandle(rawValue: .max)
        // The reinserted order has `newQuantity` open: the engine's new total counts what already filled.
        let filled = engine.openOrder(handle)?.filledQuantity ?? 0
        run(.modify(ModifyOrder(
            order: handle, trader: trader, symbol: symbol, side: modify.side == 0 ? .buy : .sell,
            price: ChallengeSession.price(ticks: modify.newPriceTicks), quantity: filled + Int64(modify.newQuantity),
            timestamp: 0)), sequence: modify.sequenceNumber, orderId: modify.orderId)
    }

    /// Before the timed run, per message: sizes the id states for the new order's id (capacity only: the states of
    /// ids not seen yet say so, and nothing touches the book), so the run does not pay for growing them.
    func prepare(type: UInt8, _ message: UnsafeRawPointer) {
        guard type == 0 else { return }
        _ = engine.orderHandle(integer: message.load(as: ChallengeNewOrder.self).orderId)
    }

    /// One `me_msg_t` of a batch.
    @inline(__always)
    func message(_ message: UnsafeRawPointer) {
        let payload = message + ChallengeMessage.payloadOffset
        switch message.load(as: UInt8.self) {
        case 0: newOrder(payload)
        case 1: cancel(payload)
        default: modify(payload)
        }
    }

    // MARK: Reports

    /// Applies one command; its events become the contract's reports as the engine makes them, in the engine's
    /// order (the harness orders one message's reports by type itself, so a ModifyAck before the modify's trades
    /// is the same stream). `orderId` is the message's own id, which rejects carry (the engine may not hold it).
    @inline(__always)
    private func run(_ command: Command, sequence: UInt64, orderId: UInt64) {
        reports.sequence = sequence
        reports.orderId = orderId
        engine.process(command, into: &reports)
    }

    /// Ticks as the engine's micros; a price too large for them is given as -1, which the engine refuses.
    @inline(__always)
    static func price(ticks: Int64) -> Price {
        let (micros, overflow) = ticks.multipliedReportingOverflow(by: tickMicros)
        return Price(micros: overflow ? -1 : micros)
    }

    // MARK: Book queries

    func bestBid() -> Int64 {
        engine.bestBidOffer(symbol).bid.map { $0.price.micros / ChallengeSession.tickMicros } ?? .min
    }

    func bestAsk() -> Int64 {
        engine.bestBidOffer(symbol).ask.map { $0.price.micros / ChallengeSession.tickMicros } ?? .max
    }

    func depth(atTicks ticks: Int64, side: UInt8) -> UInt64 {
        let (micros, overflow) = ticks.multipliedReportingOverflow(by: ChallengeSession.tickMicros)
        if overflow { return 0 }
        return UInt64(engine.restingQuantity(symbol, side: side == 0 ? .buy : .sell, price: Price(micros: micros)))
    }
}
