import ExchangeVocabulary

/// A deterministic continuous double auction over many instruments: price-time priority, trades at
/// the resting order's price, partial fills, LIMIT/MARKET, GTC/DAY/IOC/FOK/TTL/GTD, cancel/modify by the
/// owner only, self-trade prevention, and expiry driven by event time.
///
/// No I/O and no wall clock: the same commands give the same events, byte for byte, and
/// `snapshot()` / `init(snapshot:)` continue a run exactly.
///
/// Order, trader and symbol strings are interned to dense handles (`orderHandle(_:)` …) before a
/// command is built, so matching compares integers; events carry handles and `orderId(_:)` etc.
/// turn them back into strings at the edge.
///
/// Event time: the engine clock is the maximum command timestamp seen. A command with an older
/// timestamp is processed as if it arrived at the clock (its trades and reports carry the clock).
/// Before a command is processed, every DAY/TTL/GTD order whose expiry is at or before the clock expires
/// (EXPIRED report stamped with its expiry time), in (expiry, acceptance) order.
///
/// Not thread-safe: one engine belongs to one task (a matcher partition).
public final class Engine {
    public let configuration: EngineConfiguration
    /// Per symbol handle that has a book: the current definition (also of halted and delisted instruments, and a
    /// placeholder for symbols met before they were listed); `status(_:)` tells them apart.
    @exclusivity(unchecked) public internal(set) var instruments: [Instrument]
    /// Engine clock: the largest event time seen (epoch ms).
    @exclusivity(unchecked) public internal(set) var clock: Int64 = 0
    /// Number the next trade will get (first trade is 1).
    @exclusivity(unchecked) public internal(set) var nextTradeNumber: UInt64 = 1

    @exclusivity(unchecked) var books: [PriceLadder] = []
    /// Tick size in micros per book, beside `books` so reports need not touch (and retain) a ladder.
    @exclusivity(unchecked) var tickMicros: [Int64] = []
    let pool: OrderPool
    @exclusivity(unchecked) var orderIds = Interner()
    /// Per order handle: slot index (>= 0) while live, `neverAccepted`, `finished`, `forgotten` or `released`.
    @exclusivity(unchecked) var orderState: [Int32] = []
    /// Integer ids only: one bit per id, set while the id is used (accepted and not forgotten). The same fact as
    /// `orderState[id] != neverAccepted`, in 1/32 of the memory: every new order asks it about an id no recent
    /// message touched, and this answers from cache where the states array would miss.
    @exclusivity(unchecked) var usedIntegerIds: [UInt64] = []
    /// Integer ids only: the live orders' slots (`orderState` stays empty: its 4 bytes per id ever seen made each new
    /// order's write a cache miss).
    @exclusivity(unchecked) var liveIntegerOrders = LiveOrderTable()
    /// The first session close after the clock: when the clock reaches it, the session closes (`closeSession`).
    @exclusivity(unchecked) var nextSessionClose: Int64
    /// Forgotten handles whose strings events may still need (`releaseForgottenOrderIds()`).
    @exclusivity(unchecked) var forgottenOrders: [UInt32] = []
    @exclusivity(unchecked) var traderIds = Interner()
    @exclusivity(unchecked) var symbols = Interner()
    @exclusivity(unchecked) var expiries = ExpiryQueue()
    @exclusivity(unchecked) var acceptSequence: UInt64 = 0

    static let neverAccepted: Int32 = -1
    static let finished: Int32 = -2
    /// No longer found by its string; the handle still names it until released.
    static let forgotten: Int32 = -3
    /// Free for the next new id.
    static let released: Int32 = -4

    /// - Parameter expectedOrders: capacity hint for live orders and ids (no effect on behaviour).
    public init(instruments: [Instrument], configuration: EngineConfiguration = EngineConfiguration(), expectedOrders: Int = 4096) {
        self.configuration = configuration
        self.instruments = []
        nextSessionClose = configuration.sessionClose(after: 0)
        pool = OrderPool(capacity: expectedOrders)
        orderIds.reserve(expectedOrders)
        orderState.reserveCapacity(expectedOrders)
        for instrument in instruments where symbols.lookup(instrument.symbol) == nil && instrument.definitionProblem == nil {
            install(instrument, status: .trading)
        }
    }

    /// Gives a symbol a book (replacing the one it has). Books are indexed by symbol handle, so symbols interned
    /// before (orders for them were rejected as unknown) get empty placeholder books first.
    func install(_ instrument: Instrument, status: InstrumentStatus?, gridMicros: Int64? = nil) {
        let handle = Int(symbols.intern(instrument.symbol))
        while books.count < handle {
            let placeholder = Instrument(symbol: symbols.strings[books.count], tickSize: Price(micros: 1), referencePrice: Price(micros: 1))
            append(placeholder, PriceLadder(symbol: UInt32(books.count), instrument: placeholder, status: nil))
        }
        // A book without orders to take (delisted, never listed) needs no levels: build it unbanded.
        var shape = instrument
        if status != .trading && status != .halted { shape.priceBand = nil }
        let book = PriceLadder(symbol: UInt32(handle), instrument: shape, status: status, gridMicros: gridMicros)
        book.adopt(instrument)
        if handle == books.count {
            append(instrument, book)
        } else {
            instruments[handle] = instrument
            books[handle] = book
            tickMicros[handle] = book.tickMicros
        }
    }

    private func append(_ instrument: Instrument, _ book: PriceLadder) {
        instruments.append(instrument)
        books.append(book)
        tickMicros.append(book.tickMicros)
    }

    // MARK: Interning (the edge between strings and handles)

    /// The handle for an order id, interning it on first sight.
    public func orderHandle(_ orderId: String) -> OrderHandle {
        if configuration.integerOrderIds {
            // A string that is no integer id gets a handle this engine never issues, so the command is refused.
            return UInt64(orderId).flatMap { orderHandle(integer: $0) } ?? OrderHandle(rawValue: .max)
        }
        let id = orderIds.intern(orderId)
        if Int(id) == orderState.count {
            orderState.append(Engine.neverAccepted)
        } else if orderState[Int(id)] == Engine.released {
            orderState[Int(id)] = Engine.neverAccepted
        }
        return OrderHandle(rawValue: id)
    }

    /// Integer order ids are their own handles, so the engine keeps one state word per id up to the largest seen:
    /// ids at or above this (1 GiB of states) are refused.
    public static let integerOrderIdLimit: UInt64 = 1 << 28

    /// The handle for an integer order id (`EngineConfiguration.integerOrderIds`): the id itself. nil when the
    /// engine takes string ids, or the id is at or above `integerOrderIdLimit`.
    @inline(__always)
    public func orderHandle(integer id: UInt64) -> OrderHandle? {
        guard configuration.integerOrderIds, id < Engine.integerOrderIdLimit else { return nil }
        if Int(id) >= usedIntegerIds.count << 6 { growIntegerOrderIds(to: Int(id)) }
        return OrderHandle(rawValue: UInt32(id))
    }

    /// Ids never seen are unused: extend the bits up to `id`, doubling so growth is amortised.
    private func growIntegerOrderIds(to id: Int) {
        let words = max((id >> 6) + 1, min(usedIntegerIds.count * 2, Int(Engine.integerOrderIdLimit >> 6)))
        usedIntegerIds.append(contentsOf: repeatElement(0, count: words - usedIntegerIds.count))
    }

    /// Ids at or above this were never handed out (no command may name them).
    @inline(__always)
    var orderHandleBound: Int { configuration.integerOrderIds ? usedIntegerIds.count << 6 : orderState.count }

    /// An order's state: its pool slot (>= 0) while live, else `neverAccepted`, `finished`, `forgotten` or `released`.
    @inline(__always)
    func state(_ handle: Int) -> Int32 {
        guard configuration.integerOrderIds else { return orderState[handle] }
        if let slot = liveIntegerOrders.slot(UInt32(handle)) { return slot }
        return integerIdUsed(handle) ? Engine.finished : Engine.neverAccepted
    }

    /// Records a live order's slot, or (a negative state) that it finished.
    @inline(__always)
    func setState(_ handle: Int, _ value: Int32) {
        guard configuration.integerOrderIds else {
            orderState[handle] = value
            return
        }
        if value >= 0 { liveIntegerOrders.set(UInt32(handle), value) } else { liveIntegerOrders.remove(UInt32(handle)) }
    }

    @inline(__always)
    private func integerIdUsed(_ id: Int) -> Bool { usedIntegerIds[id >> 6] & (1 << UInt64(id & 63)) != 0 }

    @inline(__always)
    private func markIntegerId(_ id: Int, used: Bool) {
        if used { usedIntegerIds[id >> 6] |= 1 << UInt64(id & 63) } else { usedIntegerIds[id >> 6] &= ~(1 << UInt64(id & 63)) }
    }

    /// After a restore: the used bits of the accepted ids.
    func restoreUsedIntegerIds(count: Int, accepted: [Bool]) {
        usedIntegerIds = Array(repeating: 0, count: (count + 63) >> 6)
        for (id, used) in accepted.enumerated() where used { markIntegerId(id, used: true) }
    }

    /// Frees the handles of forgotten order ids for reuse (ids are forgotten at session close, and ids no command
    /// accepted after each command). Until then `orderId(_:)` still names them, so call this once the events produced
    /// so far have been turned into strings. A command must be built (its ids interned) after the previous command
    /// was processed: an id can be forgotten by any command.
    public func releaseForgottenOrderIds() {
        for handle in forgottenOrders {
            orderIds.release(handle)
            orderState[Int(handle)] = Engine.released
        }
        forgottenOrders.removeAll(keepingCapacity: true)
    }

    /// Order ids the engine currently remembers: the live orders' and those accepted since the last session close.
    public var rememberedOrderIds: Int {
        guard configuration.integerOrderIds else { return orderState.count - forgottenOrders.count - orderIds.releasedCount }
        return usedIntegerIds.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// The handle for a trader id, interning it on first sight.
    public func traderHandle(_ traderId: String) -> TraderHandle {
        TraderHandle(rawValue: traderIds.intern(traderId))
    }

    /// The handle for a symbol, interning unknown symbols too (orders on them are rejected with `unknownSymbol`).
    public func symbolHandle(_ symbol: String) -> SymbolHandle {
        SymbolHandle(rawValue: symbols.intern(symbol))
    }

    /// The handle of a listed (trading or halted) instrument, without interning.
    public func instrumentHandle(_ symbol: String) -> SymbolHandle? {
        guard let id = symbols.lookup(symbol), Int(id) < books.count, books[Int(id)].status?.isListed == true else { return nil }
        return SymbolHandle(rawValue: id)
    }

    /// The status of a symbol's instrument; nil when it was never listed.
    public func status(_ symbol: String) -> InstrumentStatus? {
        guard let id = symbols.lookup(symbol), Int(id) < books.count else { return nil }
        return books[Int(id)].status
    }

    /// The id string of a handle; handles from another engine that this one never issued give `"#<raw>"`.
    public func orderId(_ handle: OrderHandle) -> String {
        configuration.integerOrderIds ? String(handle.rawValue) : name(orderIds, handle.rawValue)
    }
    /// nil for `TraderHandle.unattributed`.
    public func traderId(_ handle: TraderHandle) -> String? {
        handle == .unattributed ? nil : name(traderIds, handle.rawValue)
    }
    public func symbol(_ handle: SymbolHandle) -> String { name(symbols, handle.rawValue) }

    private func name(_ interner: Interner, _ raw: UInt32) -> String {
        Int(raw) < interner.count ? interner.strings[Int(raw)] : "#\(raw)"
    }

    /// The instrument behind a handle (nil for an interned unknown symbol, never listed or delisted).
    public func instrument(_ handle: SymbolHandle) -> Instrument? {
        Int(handle.rawValue) < instruments.count && books[Int(handle.rawValue)].status?.isListed == true
            ? instruments[Int(handle.rawValue)] : nil
    }

    /// Number of live (resting) orders over all books.
    public var openOrders: Int { pool.live }

    /// Reserves room for `n` more order ids (benchmarks and bulk loads).
    public func reserveOrderIds(_ n: Int) {
        guard !configuration.integerOrderIds else { return }
        orderIds.reserve(orderIds.count + n)
        orderState.reserveCapacity(orderState.count + n)
    }

    // MARK: Processing

    /// Applies one command, appending the resulting events to `events` (which is not cleared, so a
    /// caller can reuse one buffer and clear it when convenient).
    public func process(_ command: Command, into events: inout [EngineEvent]) {
        apply(command, &events)
    }

    /// Applies one command, handing each resulting event to `sink` as it is made (in the order `process(_:into:)`
    /// would append them), for a caller that turns events into its own output without storing them.
    public func process<Sink: EngineEventSink>(_ command: Command, into sink: inout Sink) {
        apply(command, &sink)
    }

    @inline(__always)
    private func apply<Sink: EngineEventSink>(_ command: Command, _ events: inout Sink) {
        switch command {
        case .new(let order):
            advanceClock(to: order.timestamp, naming: order.order, &events)
            submit(order, &events)
            forgetIfNeverAccepted(order.order)
        case .cancel(let cancel):
            advanceClock(to: cancel.timestamp, naming: cancel.order, &events)
            self.cancel(cancel, &events)
            forgetIfNeverAccepted(cancel.order)
        case .modify(let modify):
            advanceClock(to: modify.timestamp, naming: modify.order, &events)
            self.modify(modify, &events)
            forgetIfNeverAccepted(modify.order)
        case .tick(let timestamp):
            advanceClock(to: timestamp, &events)
        }
    }

    // MARK: Remembering order ids

    /// An id that was never accepted (a rejected order, a cancel of an unknown id) means nothing to
    /// the engine, so keeping it would only let such commands grow memory without bound.
    @inline(__always)
    private func forgetIfNeverAccepted(_ order: OrderHandle) {
        if configuration.integerOrderIds { return }  // nothing was interned
        let handle = Int(order.rawValue)
        if handle < orderState.count && orderState[handle] == Engine.neverAccepted { forget(order.rawValue) }
    }

    private func forget(_ handle: UInt32) {
        orderIds.remove(handle)
        orderState[Int(handle)] = Engine.forgotten
        forgottenOrders.append(handle)
    }

    /// The session closes: every finished order's id is forgotten (a new order may use it again, a cancel of it is
    /// `UNKNOWN_ORDER`); live orders keep theirs. Runs once per session, so walking every id costs nothing per order.
    /// `current` is the handle of the command that closes the session by its timestamp: its id string stays interned
    /// under that handle, as an id not accepted in the new session.
    private func forgetFinishedOrderIds(keeping current: OrderHandle?) {
        if configuration.integerOrderIds {
            for i in usedIntegerIds.indices { usedIntegerIds[i] = 0 }
            liveIntegerOrders.forEachId { markIntegerId(Int($0), used: true) }
            return
        }
        let kept = current.map { Int($0.rawValue) } ?? -1
        for handle in orderState.indices where orderState[handle] == Engine.finished {
            if handle == kept { orderState[handle] = Engine.neverAccepted } else { forget(UInt32(handle)) }
        }
    }

    /// Applies many commands in order.
    public func process(_ commands: some Sequence<Command>, into events: inout [EngineEvent]) {
        for command in commands { process(command, into: &events) }
    }

    /// `order`: the order the command names, if any (see `forgetFinishedOrderIds`).
    @inline(__always)
    func advanceClock<Sink: EngineEventSink>(to timestamp: Int64, naming order: OrderHandle? = nil, _ events: inout Sink) {
        guard timestamp > clock else { return }
        if timestamp >= nextSessionClose { closeSessions(through: timestamp, naming: order, &events) }
        clock = timestamp
        if expiries.earliest <= timestamp { expireDue(&events) }
    }

    /// Closes the trading session at its scheduled time (`EngineConfiguration.sessionCloseMillisOfDay`) by moving the
    /// clock there, as a tick to that instant would: DAY orders (and whatever else is due) expire, then the finished
    /// orders' ids are forgotten. The clock never moves back, so a later command cannot reopen it.
    public func closeSession(into events: inout [EngineEvent]) {
        advanceClock(to: nextSessionClose, &events)
    }

    /// Every session close at or before `timestamp`, in order: what is due by the close expires, then the finished
    /// ids are forgotten. Between two closes only expiries finish orders, so closes before the next expiry are
    /// skipped (forgetting again would find nothing).
    private func closeSessions<Sink: EngineEventSink>(through timestamp: Int64, naming order: OrderHandle?, _ events: inout Sink) {
        while timestamp >= nextSessionClose {
            clock = nextSessionClose
            if expiries.earliest <= clock { expireDue(&events) }
            forgetFinishedOrderIds(keeping: order)
            // The next close that can find a finished order: the first one at or after the next expiry or this
            // command (a command at the close's very instant belongs to the new session).
            nextSessionClose = configuration.sessionClose(after: max(clock, min(timestamp, expiries.earliest) - 1))
        }
    }

    private func expireDue<Sink: EngineEventSink>(_ events: inout Sink) {
        while expiries.earliest <= clock, let entry = expiries.pop() {
            let state = self.state(Int(entry.order))
            guard state >= 0 else { continue }
            let slot = pool.slots[Int(state)]
            guard slot.sequence == entry.sequence else { continue }
            let book = books[Int(slot.book)]
            unlink(state, book)
            let reason: Reason = slot.timeInForce == .day ? .sessionClosed : slot.timeInForce == .goodTillDate ? .expiryReached : .ttlElapsed
            events.append(.report(report(slot, .expired, .expiry, reason, leaves: 0, time: entry.expiry)))
            retire(state)
        }
    }

    // MARK: New orders

    private func submit<Sink: EngineEventSink>(_ order: NewOrder, _ events: inout Sink) {
        let symbolIndex = Int(order.symbol.rawValue)
        guard symbolIndex < books.count else { return reject(order, .unknownSymbol, &events) }
        // Books live as long as the engine: lend the book to the order path without a retain (an atomic, which
        // also waits for every store in flight, the id states' cache misses among them).
        Unmanaged.passUnretained(books[symbolIndex])._withUnsafeGuaranteedRef { submit(order, $0, &events) }
    }

    @inline(__always)
    private func submit<Sink: EngineEventSink>(_ order: NewOrder, _ book: PriceLadder, _ events: inout Sink) {
        if !book.trading { return reject(order, book.status == .halted ? .halted : .unknownSymbol, &events) }
        if let reason = book.refusal(quantity: order.quantity) { return reject(order, reason, &events) }
        var limitTicks: Int64
        if order.type == .limit {
            guard let price = order.price else { return reject(order, .missingPrice, &events) }
            if let reason = book.refusal(priceMicros: price.micros) { return reject(order, reason, &events) }
            limitTicks = price.micros / book.tickMicros
        } else {
            if order.price != nil { return reject(order, .unexpectedPrice, &events) }
            limitTicks = order.side == .buy ? .max : .min
        }
        var expiry = Int64.max
        switch order.timeInForce {
        case .timeToLive:
            guard let minutes = order.validityTTLMinutes, minutes > 0, minutes <= 1_000_000_000 else {
                return reject(order, .missingValidityTTL, &events)
            }
            expiry = clock + minutes * 60_000
        case .day:
            expiry = configuration.sessionClose(after: clock)
        case .goodTillDate:
            guard let expireAt = order.expireAt else { return reject(order, .missingExpiry, &events) }
            guard expireAt > clock else { return reject(order, .expiryPassed, &events) }
            expiry = expireAt
        case .goodTillCanceled, .immediateOrCancel, .fillOrKill:
            break
        }
        let restsIfUnfilled = order.type == .limit && order.timeInForce != .immediateOrCancel && order.timeInForce != .fillOrKill
        if restsIfUnfilled && book.index(forTick: limitTicks) == nil { return reject(order, .priceOutOfRange, &events) }
        let handle = Int(order.order.rawValue)
        // A handle this engine never issued cannot be accepted (it has no id string).
        guard handle < orderHandleBound else { return reject(order, .unknownOrder, &events) }
        if configuration.integerOrderIds {
            if integerIdUsed(handle) { return reject(order, .duplicateOrderId, &events) }
            markIntegerId(handle, used: true)
        } else {
            guard orderState[handle] > Engine.forgotten else { return reject(order, .unknownOrder, &events) }
            if orderState[handle] != Engine.neverAccepted { return reject(order, .duplicateOrderId, &events) }
            orderState[handle] = Engine.finished
        }

        // Accepted.
        acceptSequence &+= 1
        var incoming = OrderSlot(
            handle: order.order.rawValue, trader: order.trader.rawValue, book: order.symbol.rawValue, side: order.side,
            type: order.type, timeInForce: order.timeInForce, price: limitTicks, quantity: order.quantity, filled: 0,
            prev: -1, next: -1, expiry: expiry, sequence: acceptSequence)
        events.append(.report(report(incoming, .new, .newOrder, nil, leaves: incoming.quantity, time: clock)))

        if order.timeInForce == .fillOrKill && !canFillCompletely(incoming, book) {
            events.append(.report(report(incoming, .canceled, .newOrder, .fillOrKillUnfillable, leaves: 0, time: clock)))
            return
        }
        let stopped = match(&incoming, book, cause: .newOrder, &events)
        finishAggressor(&incoming, book, stopped: stopped, cause: .newOrder, &events)
    }

    /// Rests or cancels what is left of an aggressor after matching.
    @inline(__always)
    private func finishAggressor<Sink: EngineEventSink>(_ incoming: inout OrderSlot, _ book: PriceLadder, stopped: Bool, cause: ReportCause, _ events: inout Sink) {
        let leaves = incoming.leaves
        guard leaves > 0 else { return }
        if stopped {
            events.append(.report(report(incoming, .canceled, cause, .selfTradePrevented, leaves: 0, time: clock)))
        } else if incoming.type == .market {
            events.append(.report(report(incoming, .canceled, cause, .noLiquidity, leaves: 0, time: clock)))
        } else if incoming.timeInForce == .immediateOrCancel || incoming.timeInForce == .fillOrKill {
            events.append(.report(report(incoming, .canceled, cause, .immediateOrCancel, leaves: 0, time: clock)))
        } else {
            rest(incoming, book)
        }
    }

    private func reject<Sink: EngineEventSink>(_ order: NewOrder, _ reason: Reason, _ events: inout Sink) {
        events.append(.report(ExecutionReport(
            order: order.order, trader: order.trader, symbol: order.symbol, side: order.side, type: order.type,
            timeInForce: order.timeInForce, status: .rejected, cause: .newOrder, reason: reason, price: order.price,
            quantity: order.quantity, filledQuantity: 0, leavesQuantity: 0, lastPrice: nil, lastQuantity: 0,
            lastTradeNumber: nil, timestamp: clock)))
    }

    @inline(__always)
    func report(
        _ slot: OrderSlot, _ status: OrderStatus, _ cause: ReportCause, _ reason: Reason?, leaves: Int64, time: Int64,
        lastPrice: Price? = nil, lastQuantity: Int64 = 0, lastTrade: UInt64? = nil
    ) -> ExecutionReport {
        ExecutionReport(
            order: OrderHandle(rawValue: slot.handle), trader: TraderHandle(rawValue: slot.trader),
            symbol: SymbolHandle(rawValue: slot.book), side: slot.side, type: slot.type, timeInForce: slot.timeInForce,
            status: status, cause: cause, reason: reason,
            price: slot.type == .limit ? Price(micros: slot.price * tickMicros[Int(slot.book)]) : nil,
            quantity: slot.quantity, filledQuantity: slot.filled, leavesQuantity: leaves,
            lastPrice: lastPrice, lastQuantity: lastQuantity, lastTradeNumber: lastTrade, timestamp: time)
    }

    /// Whether a FOK order can fill completely right now, under the self-trade policy, without touching the book.
    private func canFillCompletely(_ incoming: OrderSlot, _ book: PriceLadder) -> Bool {
        var needed = incoming.quantity
        let isBuy = incoming.side == .buy
        var level = isBuy ? book.bestAsk : book.bestBid
        let policy = configuration.selfTradePrevention
        while level >= 0 {
            let tick = book.tick(at: level)
            if isBuy ? tick > incoming.price : tick < incoming.price { return false }
            var cursor = book.levels[level].head
            while cursor >= 0 {
                let resting = pool.slots[Int(cursor)]
                if policy != .none && resting.trader == incoming.trader && incoming.trader != UInt32.max /* unattributed */ {
                    if policy != .cancelResting { return false }
                } else {
                    needed -= resting.leaves
                    if needed <= 0 { return true }
                }
                cursor = resting.next
            }
            level = isBuy ? book.lowestNonEmpty(atOrAbove: level + 1) : book.highestNonEmpty(atOrBelow: level - 1)
        }
        return false
    }

    /// Matches an aggressor against the opposite side. Returns true when self-trade prevention
    /// stopped the aggressor (its remainder must be cancelled).
    @inline(__always)
    private func match<Sink: EngineEventSink>(_ incoming: inout OrderSlot, _ book: PriceLadder, cause: ReportCause, _ events: inout Sink) -> Bool {
        let isBuy = incoming.side == .buy
        let policy = configuration.selfTradePrevention
        let slots = pool.slots
        var level = isBuy ? book.bestAsk : book.bestBid
        while level >= 0 && incoming.filled < incoming.quantity {
            let tick = book.tick(at: level)
            if isBuy ? tick > incoming.price : tick < incoming.price { break }
            let price = Price(micros: tick * book.tickMicros)
            var cursor = book.levels[level].head
            while cursor >= 0 && incoming.filled < incoming.quantity {
                let restingIndex = Int(cursor)
                let next = slots[restingIndex].next
                if policy != .none && slots[restingIndex].trader == incoming.trader && incoming.trader != UInt32.max /* unattributed */ {
                    if policy == .cancelResting || policy == .cancelBoth {
                        let resting = slots[restingIndex]
                        unlink(cursor, book)
                        events.append(.report(report(resting, .canceled, .match, .selfTradePrevented, leaves: 0, time: clock)))
                        retire(cursor)
                    }
                    if policy != .cancelResting {
                        return true
                    }
                    cursor = next
                    continue
                }
                let quantity = min(incoming.quantity - incoming.filled, slots[restingIndex].leaves)
                let tradeNumber = nextTradeNumber
                nextTradeNumber &+= 1
                incoming.filled += quantity
                slots[restingIndex].filled += quantity
                book.levels[level].quantity -= quantity
                let resting = slots[restingIndex]
                let restingPrice = price
                let incomingPrice: Price? = incoming.type == .limit ? Price(micros: incoming.price * book.tickMicros) : nil
                events.append(.trade(Trade(
                    tradeNumber: tradeNumber, symbol: SymbolHandle(rawValue: incoming.book),
                    buyOrder: OrderHandle(rawValue: isBuy ? incoming.handle : resting.handle),
                    sellOrder: OrderHandle(rawValue: isBuy ? resting.handle : incoming.handle),
                    buyTrader: TraderHandle(rawValue: isBuy ? incoming.trader : resting.trader),
                    sellTrader: TraderHandle(rawValue: isBuy ? resting.trader : incoming.trader),
                    price: price, buyPrice: isBuy ? incomingPrice : restingPrice, sellPrice: isBuy ? restingPrice : incomingPrice,
                    quantity: quantity, aggressor: incoming.side, time: clock)))
                let incomingLeaves = incoming.quantity - incoming.filled
                events.append(.report(report(
                    incoming, incomingLeaves == 0 ? .filled : .partiallyFilled, cause, nil, leaves: incomingLeaves, time: clock,
                    lastPrice: price, lastQuantity: quantity, lastTrade: tradeNumber)))
                let restingLeaves = resting.leaves
                events.append(.report(report(
                    resting, restingLeaves == 0 ? .filled : .partiallyFilled, .match, nil, leaves: restingLeaves, time: clock,
                    lastPrice: price, lastQuantity: quantity, lastTrade: tradeNumber)))
                book.lastTrade = LastTrade(price: price, quantity: quantity, time: clock, tradeNumber: tradeNumber)
                if restingLeaves == 0 {
                    unlink(cursor, book)
                    retire(cursor)
                }
                cursor = next
            }
            if book.levels[level].orders > 0 { break }
            level = isBuy ? book.lowestNonEmpty(atOrAbove: level + 1) : book.highestNonEmpty(atOrBelow: level - 1)
        }
        return false
    }

    // MARK: Book maintenance

    /// Appends an order at the tail of its level and registers its expiry.
    private func rest(_ order: OrderSlot, _ book: PriceLadder) {
        // index(forTick:) was checked (and any growth done) before the order was accepted.
        let index = pool.allocate(order)
        link(index, book)
        setState(Int(order.handle), index)
        if order.expiry != .max {
            expiries.push(.init(expiry: order.expiry, sequence: order.sequence, order: order.handle))
        }
    }

    /// Appends a pooled order at the tail of its level (its `price` in the book's ticks), keeping best prices current.
    @inline(__always)
    func link(_ index: Int32, _ book: PriceLadder) {
        let slots = pool.slots
        let order = slots[Int(index)]
        let level = Int(order.price - book.base)
        let tail = book.levels[level].tail
        slots[Int(index)].prev = tail
        slots[Int(index)].next = -1
        if tail >= 0 { slots[Int(tail)].next = index } else { book.levels[level].head = index }
        book.levels[level].tail = index
        book.levels[level].quantity += order.leaves
        book.levels[level].orders += 1
        if book.levels[level].orders == 1 {
            book.setBit(level)
            if order.side == .buy {
                if level > book.bestBid { book.bestBid = level }
            } else if book.bestAsk < 0 || level < book.bestAsk {
                book.bestAsk = level
            }
        }
    }

    /// Re-rests an order read from a snapshot (same priority order as when it was taken).
    func restoreResting(_ order: OrderSlot, _ book: PriceLadder) {
        rest(order, book)
    }

    /// Removes a live order from its level (not from the pool), keeping best prices current.
    @inline(__always)
    func unlink(_ index: Int32, _ book: PriceLadder) {
        let slots = pool.slots
        let slot = slots[Int(index)]
        let level = Int(slot.price - book.base)
        if slot.prev >= 0 { slots[Int(slot.prev)].next = slot.next } else { book.levels[level].head = slot.next }
        if slot.next >= 0 { slots[Int(slot.next)].prev = slot.prev } else { book.levels[level].tail = slot.prev }
        book.levels[level].quantity -= slot.leaves
        book.levels[level].orders -= 1
        if book.levels[level].orders == 0 {
            book.clearBit(level)
            if level == book.bestBid {
                book.bestBid = book.highestNonEmpty(atOrBelow: level - 1)
            } else if level == book.bestAsk {
                book.bestAsk = book.lowestNonEmpty(atOrAbove: level + 1)
            }
        }
    }

    /// Frees a finished order's slot; its id stays used.
    @inline(__always)
    func retire(_ index: Int32) {
        setState(Int(pool.slots[Int(index)].handle), Engine.finished)
        pool.free(index)
    }

    // MARK: Cancel and modify

    /// The live slot of an order that `trader` may change, or the reason it may not.
    private func ownedOrder(_ order: OrderHandle, _ trader: TraderHandle, _ symbol: SymbolHandle, _ side: Side?) -> Result<Int32, RequestRejection> {
        let handle = Int(order.rawValue)
        guard handle < orderHandleBound else { return .failure(RequestRejection(.unknownOrder)) }
        let index = state(handle)
        guard index >= 0 else { return .failure(RequestRejection(.unknownOrder)) }
        let slot = pool.slots[Int(index)]
        if slot.trader != trader.rawValue || trader == .unattributed { return .failure(RequestRejection(.notOwner, slot)) }
        if slot.book != symbol.rawValue { return .failure(RequestRejection(.symbolMismatch, slot)) }
        if let side, side != slot.side { return .failure(RequestRejection(.sideMismatch, slot)) }
        return .success(index)
    }

    private func cancel<Sink: EngineEventSink>(_ request: CancelOrder, _ events: inout Sink) {
        switch ownedOrder(request.order, request.trader, request.symbol, request.side) {
        case .failure(let rejection):
            rejectRequest(rejection, request.order, request.trader, request.symbol, request.side, .cancel, &events)
        case .success(let index):
            let slot = pool.slots[Int(index)]
            Unmanaged.passUnretained(books[Int(slot.book)])._withUnsafeGuaranteedRef { unlink(index, $0) }  // no retain (see submit)
            events.append(.report(report(slot, .canceled, .cancel, .canceledByTrader, leaves: 0, time: clock)))
            retire(index)
        }
    }

    private func modify<Sink: EngineEventSink>(_ request: ModifyOrder, _ events: inout Sink) {
        let index: Int32
        switch ownedOrder(request.order, request.trader, request.symbol, request.side) {
        case .failure(let rejection):
            return rejectRequest(rejection, request.order, request.trader, request.symbol, request.side, .modify, &events)
        case .success(let found):
            index = found
        }
        Unmanaged.passUnretained(books[Int(pool.slots[Int(index)].book)])._withUnsafeGuaranteedRef {
            modify(request, index, $0, &events)  // no retain (see submit)
        }
    }

    @inline(__always)
    private func modify<Sink: EngineEventSink>(_ request: ModifyOrder, _ index: Int32, _ book: PriceLadder, _ events: inout Sink) {
        let slot = pool.slots[Int(index)]
        func refuse(_ reason: Reason) {
            rejectRequest(RequestRejection(reason, slot), request.order, request.trader, request.symbol, request.side, .modify, &events)
        }
        if !book.trading { return refuse(.halted) }
        if request.price == nil && request.quantity == nil { return refuse(.invalidModification) }
        var newTicks = slot.price
        if let price = request.price {
            if let reason = book.refusal(priceMicros: price.micros) { return refuse(reason) }
            newTicks = price.micros / book.tickMicros
            if book.index(forTick: newTicks) == nil { return refuse(.priceOutOfRange) }
        }
        var newQuantity = slot.quantity
        if let quantity = request.quantity {
            if let reason = book.refusal(quantity: quantity) { return refuse(reason) }
            if quantity <= slot.filled { return refuse(.invalidModification) }
            newQuantity = quantity
        }
        if newTicks == slot.price && newQuantity <= slot.quantity {
            // Same price, same or smaller size: keeps its place in the queue.
            let level = Int(slot.price - book.base)
            book.levels[level].quantity -= slot.quantity - newQuantity
            pool.slots[Int(index)].quantity = newQuantity
            let updated = pool.slots[Int(index)]
            events.append(.report(report(updated, .replaced, .modify, nil, leaves: updated.leaves, time: clock)))
            return
        }
        // Loses priority: leave the queue, take the new terms, match as an aggressor, rest at the tail.
        unlink(index, book)
        var order = slot
        pool.free(index)
        setState(Int(order.handle), Engine.finished)
        order.price = newTicks
        order.quantity = newQuantity
        order.prev = -1
        order.next = -1
        events.append(.report(report(order, .replaced, .modify, nil, leaves: order.leaves, time: clock)))
        let stopped = match(&order, book, cause: .modify, &events)
        let leaves = order.leaves
        if leaves > 0 && !stopped {
            // Resting again: keep its expiry entry (same sequence) instead of pushing a second one.
            let expiry = order.expiry
            order.expiry = .max
            rest(order, book)
            pool.slots[Int(state(Int(order.handle)))].expiry = expiry
        } else {
            finishAggressor(&order, book, stopped: stopped, cause: .modify, &events)
        }
    }

    private func rejectRequest<Sink: EngineEventSink>(
        _ rejection: RequestRejection, _ order: OrderHandle, _ trader: TraderHandle, _ symbol: SymbolHandle, _ side: Side?,
        _ cause: ReportCause, _ events: inout Sink
    ) {
        if let slot = rejection.slot {
            let tickMicros = books[Int(slot.book)].tickMicros
            events.append(.report(ExecutionReport(
                order: order, trader: trader, symbol: symbol, side: slot.side, type: slot.type, timeInForce: slot.timeInForce,
                status: .rejected, cause: cause, reason: rejection.reason, price: Price(micros: slot.price * tickMicros),
                quantity: slot.quantity, filledQuantity: slot.filled, leavesQuantity: slot.leaves, lastPrice: nil,
                lastQuantity: 0, lastTradeNumber: nil, timestamp: clock)))
        } else {
            events.append(.report(ExecutionReport(
                order: order, trader: trader, symbol: symbol, side: side ?? .buy, type: .limit, timeInForce: .goodTillCanceled,
                status: .rejected, cause: cause, reason: rejection.reason, price: nil, quantity: 0, filledQuantity: 0,
                leavesQuantity: 0, lastPrice: nil, lastQuantity: 0, lastTradeNumber: nil, timestamp: clock)))
        }
    }

    // MARK: Market data

    public func bestBidOffer(_ symbol: SymbolHandle) -> BestBidOffer {
        guard let book = book(symbol) else { return BestBidOffer(bid: nil, ask: nil) }
        return BestBidOffer(bid: levelSummary(book, book.bestBid), ask: levelSummary(book, book.bestAsk))
    }

    /// The best `levels` aggregated price levels per side, best first.
    public func depth(_ symbol: SymbolHandle, levels: Int) -> Depth {
        guard let book = book(symbol), levels > 0 else { return Depth(bids: [], asks: []) }
        var bids: [BookLevel] = []
        var level = book.bestBid
        while level >= 0 && bids.count < levels {
            if let summary = levelSummary(book, level) { bids.append(summary) }
            level = book.highestNonEmpty(atOrBelow: level - 1)
        }
        var asks: [BookLevel] = []
        level = book.bestAsk
        while level >= 0 && asks.count < levels {
            if let summary = levelSummary(book, level) { asks.append(summary) }
            level = book.lowestNonEmpty(atOrAbove: level + 1)
        }
        return Depth(bids: bids, asks: asks)
    }

    /// Every resting order in priority order.
    public func orderBook(_ symbol: SymbolHandle) -> BookSnapshot {
        guard let book = book(symbol) else { return BookSnapshot(symbol: symbol, bids: [], asks: []) }
        var bids: [RestingOrder] = []
        var level = book.bestBid
        while level >= 0 {
            appendOrders(book, level, to: &bids)
            level = book.highestNonEmpty(atOrBelow: level - 1)
        }
        var asks: [RestingOrder] = []
        level = book.bestAsk
        while level >= 0 {
            appendOrders(book, level, to: &asks)
            level = book.lowestNonEmpty(atOrAbove: level + 1)
        }
        return BookSnapshot(symbol: symbol, bids: bids, asks: asks)
    }

    public func lastTrade(_ symbol: SymbolHandle) -> LastTrade? { book(symbol)?.lastTrade }

    /// The quantity resting on one side at one price (0 when none, or the price is off the book's grid).
    public func restingQuantity(_ symbol: SymbolHandle, side: Side, price: Price) -> Int64 {
        guard let book = book(symbol), price.micros % book.tickMicros == 0,
            let level = book.existingIndex(forTick: price.micros / book.tickMicros), book.levels[level].orders > 0
        else { return 0 }
        // Both sides share the ladder: a non-empty level is a bid at or below the best bid, an ask otherwise.
        let isBid = book.bestBid >= 0 && level <= book.bestBid
        return isBid == (side == .buy) ? book.levels[level].quantity : 0
    }

    /// A live order by handle, nil once it is filled, cancelled or expired (or never accepted).
    public func openOrder(_ handle: OrderHandle) -> RestingOrder? {
        let h = Int(handle.rawValue)
        guard h < orderHandleBound else { return nil }
        let index = state(h)
        return index >= 0 ? restingOrder(pool.slots[Int(index)]) : nil
    }

    private func book(_ symbol: SymbolHandle) -> PriceLadder? {
        Int(symbol.rawValue) < books.count ? books[Int(symbol.rawValue)] : nil
    }

    private func levelSummary(_ book: PriceLadder, _ level: Int) -> BookLevel? {
        guard level >= 0 else { return nil }
        let l = book.levels[level]
        return BookLevel(price: Price(micros: book.tick(at: level) * book.tickMicros), quantity: l.quantity, orders: Int(l.orders))
    }

    private func appendOrders(_ book: PriceLadder, _ level: Int, to list: inout [RestingOrder]) {
        var cursor = book.levels[level].head
        while cursor >= 0 {
            let slot = pool.slots[Int(cursor)]
            list.append(restingOrder(slot))
            cursor = slot.next
        }
    }

    private func restingOrder(_ slot: OrderSlot) -> RestingOrder {
        RestingOrder(
            order: OrderHandle(rawValue: slot.handle), trader: TraderHandle(rawValue: slot.trader),
            symbol: SymbolHandle(rawValue: slot.book), side: slot.side, timeInForce: slot.timeInForce,
            price: Price(micros: slot.price * books[Int(slot.book)].tickMicros), quantity: slot.quantity,
            filledQuantity: slot.filled, expiresAt: slot.expiry == .max ? nil : slot.expiry)
    }
}

/// Why a cancel/modify was refused, with the order's current state when it exists.
struct RequestRejection: Error {
    var reason: Reason
    var slot: OrderSlot?
    init(_ reason: Reason, _ slot: OrderSlot? = nil) {
        self.reason = reason
        self.slot = slot
    }
}
