import MatchingEngine

/// The engine's events as the challenge's six reports, pushed into the harness's transport as the engine makes them
/// (an `EngineEventSink`: no event is stored and read back). The session sets `sequence` and `orderId` to the message
/// being applied before each command.
struct ChallengeReportWriter: EngineEventSink {
    private let push: ChallengeTransport.Push
    private let sink: UnsafeMutableRawPointer?
    /// The library's own transport when the harness took it (`engine_get_transport`): written to directly. The
    /// harness holds it (its handle) for as long as the session runs, so the writer does not count references: a
    /// retain per report, on a line the drainer's core also reads, cost more than the rest of the report.
    private let ring: Unmanaged<ChallengeReportRing>?
    /// The message being applied: its sequence number, and its own id, which rejects carry (the engine may not hold it).
    var sequence: UInt64 = 0
    var orderId: UInt64 = 0
    /// New orders the engine refused: the contract has no report for them.
    var refusedNewOrders = 0

    init(push: ChallengeTransport.Push, sink: UnsafeMutableRawPointer?, ring: ChallengeReportRing?) {
        self.push = push
        self.sink = sink
        self.ring = ring.map { Unmanaged.passUnretained($0) }
    }

    @inline(__always)
    mutating func append(_ event: EngineEvent) {
        switch event {
        case .trade(let trade):
            let buyerTook = trade.aggressor == .buy
            emit(.trade, side: 0, order: 0, priceMicros: trade.price.micros, quantity: trade.quantity,
                 maker: UInt64((buyerTook ? trade.sellOrder : trade.buyOrder).rawValue),
                 taker: UInt64((buyerTook ? trade.buyOrder : trade.sellOrder).rawValue))
        case .report(let r):
            let side: UInt8 = r.side == .buy ? 0 : 1
            let order = UInt64(r.order.rawValue)
            switch r.status {
            case .new:
                emit(.orderAck, side: side, order: order, priceMicros: r.price?.micros ?? 0, quantity: r.quantity)
            case .canceled:
                // A cancel, or the unfilled rest of an IOC order.
                emit(.cancelAck, side: side, order: order, priceMicros: r.price?.micros ?? 0, quantity: r.quantity - r.filledQuantity)
            case .replaced:
                emit(.modifyAck, side: side, order: order, priceMicros: r.price?.micros ?? 0, quantity: r.leavesQuantity)
            case .rejected:
                switch r.cause {
                case .cancel: emit(.cancelReject, side: 0, order: orderId, priceMicros: 0, quantity: 0)
                case .modify: emit(.modifyReject, side: 0, order: orderId, priceMicros: 0, quantity: 0)
                default: refusedNewOrders += 1
                }
            case .partiallyFilled, .filled, .expired:
                break  // fills are the trades; nothing expires (every order is GTC or IOC)
            }
        }
    }

    @inline(__always)
    private func emit(
        _ type: ChallengeReportType, side: UInt8, order: UInt64, priceMicros: Int64, quantity: Int64, maker: UInt64 = 0,
        taker: UInt64 = 0
    ) {
        if let ring {
            // Filled in place; the ring's reserved fields stay the zeros it was made with.
            ring._withUnsafeGuaranteedRef { ring in
                let report = ring.reserve()
                fill(report, type, side: side, order: order, priceMicros: priceMicros, quantity: quantity, maker: maker, taker: taker)
                ring.commit()
            }
            return
        }
        var report = ChallengeReport()
        fill(&report, type, side: side, order: order, priceMicros: priceMicros, quantity: quantity, maker: maker, taker: taker)
        while withUnsafePointer(to: &report, { push(sink, $0) }) == 0 {}  // full: the drainer is behind, spin
    }

    @inline(__always)
    private func fill(
        _ report: UnsafeMutablePointer<ChallengeReport>, _ type: ChallengeReportType, side: UInt8, order: UInt64,
        priceMicros: Int64, quantity: Int64, maker: UInt64, taker: UInt64
    ) {
        report.pointee.type = type.rawValue
        report.pointee.side = side
        report.pointee.sequenceNumber = sequence
        report.pointee.orderId = order
        report.pointee.priceTicks = priceMicros / ChallengeSession.tickMicros
        report.pointee.quantity = UInt32(truncatingIfNeeded: quantity)
        report.pointee.makerOrderId = maker
        report.pointee.takerOrderId = taker
    }
}
