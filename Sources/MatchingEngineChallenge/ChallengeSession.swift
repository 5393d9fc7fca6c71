import MatchingEngine

/// One run of the challenge: the engine, set up once for the challenge's contract, and the translation of its
/// events into the challenge's six reports, pushed into the harness's transport.
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
    private let push: ChallengeTransport.Push
    private let sink: UnsafeMutableRawPointer?
    /// The library's own transport when the harness took it (`engine_get_transport`): pushed to directly.
    private let ring: ChallengeReportRing?
    @exclusivity(unchecked) private var events: [EngineEvent] = []
    @exclusivity(unchecked) private var report = ChallengeReport()
    /// New orders the engine refused (an id out of range, a price off its grid): the contract has no report for
    /// them, so they are counted here and visible to tests.
    @exclusivity(unchecked) private(set) var refusedNewOrders = 0

    init(push: ChallengeTransport.Push, sink: UnsafeMutableRawPointer?, ring: ChallengeReportRing? = nil) {
        let instrument = Instrument(
            symbol: ChallengeSession.symbol, name: "matching-engine challenge", tickSize: Price(micros: ChallengeSession.tickMicros),
            referencePrice: Price(micros: 33_504 * ChallengeSession.tickMicros))
        engine = Engine(instruments: [instrument], configuration: ChallengeSession.configuration, expectedOrders: 1 << 16)
        engine.reserveOrderIds(1 << 21)
        symbol = engine.symbolHandle(ChallengeSession.symbol)
        trader = engine.traderHandle(ChallengeSession.participant)
        self.push = push
        self.sink = sink
        self.ring = ring
        events.reserveCapacity(1024)
    }

    // MARK: Messages

    @inline(__always)
    func newOrder(_ message: UnsafeRawPointer) {
        let order = message.load(as: ChallengeNewOrder.self)
        guard let handle = engine.orderHandle(integer: order.orderId) else {
            refusedNewOrders += 1
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

    /// Applies one command and pushes the contract's reports for its events, in the engine's order (the harness
    /// orders one message's reports by type itself, so a ModifyAck before the modify's trades is the same stream).
    @inline(__always)
    /// `orderId` is the message's own id, which rejects carry (the engine may not hold it).
    private func run(_ command: Command, sequence: UInt64, orderId: UInt64) {
        // Emptied every few messages, not per message (that cost more than the reports), and kept small enough to stay in L1.
        if events.count > 32 { events.removeAll(keepingCapacity: true) }
        let first = events.count
        engine.process(command, into: &events)
        for event in events[first...] {
            switch event {
            case .trade(let trade):
                let buyerTook = trade.aggressor == .buy
                emit(.trade, sequence: sequence, side: 0, order: 0, priceMicros: trade.price.micros, quantity: trade.quantity,
                     maker: UInt64((buyerTook ? trade.sellOrder : trade.buyOrder).rawValue),
                     taker: UInt64((buyerTook ? trade.buyOrder : trade.sellOrder).rawValue))
            case .report(let r):
                let side: UInt8 = r.side == .buy ? 0 : 1
                let order = UInt64(r.order.rawValue)
                switch r.status {
                case .new:
                    emit(.orderAck, sequence: sequence, side: side, order: order, priceMicros: r.price?.micros ?? 0, quantity: r.quantity)
                case .canceled:
                    // A cancel, or the unfilled rest of an IOC order.
                    emit(.cancelAck, sequence: sequence, side: side, order: order, priceMicros: r.price?.micros ?? 0,
                         quantity: r.quantity - r.filledQuantity)
                case .replaced:
                    emit(.modifyAck, sequence: sequence, side: side, order: order, priceMicros: r.price?.micros ?? 0,
                         quantity: r.leavesQuantity)
                case .rejected:
                    switch r.cause {
                    case .cancel: emit(.cancelReject, sequence: sequence, side: 0, order: orderId, priceMicros: 0, quantity: 0)
                    case .modify: emit(.modifyReject, sequence: sequence, side: 0, order: orderId, priceMicros: 0, quantity: 0)
                    default: refusedNewOrders += 1
                    }
                case .partiallyFilled, .filled, .expired:
                    break  // fills are the trades; nothing expires (every order is GTC or IOC)
                }
            }
        }
    }

    @inline(__always)
    private func emit(
        _ type: ChallengeReportType, sequence: UInt64, side: UInt8, order: UInt64, priceMicros: Int64, quantity: Int64,
        maker: UInt64 = 0, taker: UInt64 = 0
    ) {
        report.type = type.rawValue
        report.side = side
        report.sequenceNumber = sequence
        report.orderId = order
        report.priceTicks = priceMicros / ChallengeSession.tickMicros
        report.quantity = UInt32(truncatingIfNeeded: quantity)
        report.makerOrderId = maker
        report.takerOrderId = taker
        if let ring {
            withUnsafePointer(to: &report) { ring.push($0) }
            return
        }
        while withUnsafePointer(to: &report, { push(sink, $0) }) == 0 {}  // full: the drainer is behind, spin
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
