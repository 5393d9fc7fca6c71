/// Instrument changes at their place in the command sequence: listings, new definitions, halts, resumes and
/// delistings. Each applies to every command after it and to none before, so a replay of the same commands gives the
/// same events.
extension Engine {
    /// Applies an instrument change. Returns why it was refused, or nil; a refused change alters nothing, not even
    /// the clock.
    ///
    /// - `.list`: a symbol that is not listed (never, or delisted) gets an empty book and trades at once.
    /// - `.set`: a listed symbol takes a new definition; resting orders stay as they are, new orders and modifies are
    ///   checked against the new tick, lot, band and maximum quantity.
    /// - `.halt` / `.resume`: new orders and modifies are rejected with `HALTED` / accepted again (continuous trading,
    ///   no opening auction); cancels always work and resting orders stay.
    /// - `.delist`: the resting orders are cancelled (`DELISTED`, in price then time order, bids' levels first by
    ///   price ascending like the asks'), new orders are rejected as `UNKNOWN_SYMBOL`.
    @discardableResult
    public func process(_ control: InstrumentControl, into events: inout [EngineEvent]) -> String? {
        if let problem = refusal(control) { return problem }
        advanceClock(to: control.timestamp, &events)
        switch control.action {
        case .list:
            if let instrument = control.instrument { install(instrument, status: .trading) }
        case .set:
            if let instrument = control.instrument, let handle = listedHandle(control.symbol) { redefine(handle, instrument) }
        case .halt:
            if let handle = listedHandle(control.symbol) { books[handle].status = .halted }
        case .resume:
            if let handle = listedHandle(control.symbol) { books[handle].status = .trading }
        case .delist:
            if let handle = listedHandle(control.symbol) { delist(handle, &events) }
        }
        return nil
    }

    /// Why a change cannot be applied now, or nil.
    public func refusal(_ control: InstrumentControl) -> String? {
        let listed = listedHandle(control.symbol)
        switch control.action {
        case .list, .set:
            guard let instrument = control.instrument else { return "\(control.action.rawValue) needs the instrument's definition" }
            guard instrument.symbol == control.symbol else {
                return "the definition is for \(instrument.symbol), the record for \(control.symbol)"
            }
            if let problem = instrument.definitionProblem { return problem }
            if let band = instrument.priceBand, (band.upper.micros - band.lower.micros) / instrument.tickSize.micros >= PriceLadder.maxLevels {
                return "\(control.symbol): the price band spans more than \(PriceLadder.maxLevels) ticks"
            }
            if control.action == .list {
                if listed != nil { return "\(control.symbol) is already listed (change it with SET)" }
            } else {
                guard let handle = listed else { return "unknown symbol \(control.symbol) (list it first)" }
                if let levels = levelsAfterRebuild(books[handle], instrument), levels > PriceLadder.maxLevels {
                    return "\(control.symbol): the new tick size would spread the resting orders and the band over \(levels) price levels (at most \(PriceLadder.maxLevels))"
                }
            }
        case .halt, .resume, .delist:
            if listed == nil { return "unknown symbol \(control.symbol)" }
        }
        return nil
    }

    /// The book index of a trading or halted symbol.
    private func listedHandle(_ symbol: String) -> Int? {
        guard let id = symbols.lookup(symbol), Int(id) < books.count, books[Int(id)].status?.isListed == true else { return nil }
        return Int(id)
    }

    /// New rules for new orders; the book is rebuilt on a finer grid or a wider span only when they need one.
    private func redefine(_ handle: Int, _ instrument: Instrument) {
        let old = books[handle]
        instruments[handle] = instrument
        if old.fits(instrument) { return old.adopt(instrument) }
        let grid = Engine.gcd(old.tickMicros, instrument.tickSize.micros)
        let live = liveOrders(old)
        var cover: ClosedRange<Int64>?
        if !live.isEmpty {
            var low = Int64.max, high = Int64.min
            for index in live {
                let micros = pool.slots[Int(index)].price * old.tickMicros
                low = min(low, micros)
                high = max(high, micros)
            }
            cover = low...high
        }
        let book = PriceLadder(symbol: old.symbol, instrument: instrument, status: old.status, gridMicros: grid, cover: cover)
        book.lastTrade = old.lastTrade
        // Same levels in the same order, each in time order: priorities do not change.
        for index in live {
            pool.slots[Int(index)].price = pool.slots[Int(index)].price * old.tickMicros / grid
            link(index, book)
        }
        books[handle] = book
        tickMicros[handle] = grid
    }

    /// How many levels a rebuilt book would span, or nil when `instrument` fits the book as it is.
    private func levelsAfterRebuild(_ book: PriceLadder, _ instrument: Instrument) -> Int64? {
        guard !book.fits(instrument) else { return nil }
        let grid = Engine.gcd(book.tickMicros, instrument.tickSize.micros)
        var low = instrument.priceBand?.lower.micros ?? Int64.max
        var high = instrument.priceBand?.upper.micros ?? Int64.min
        if book.count > 0 {
            low = min(low, book.base * book.tickMicros)
            high = max(high, (book.base + Int64(book.count) - 1) * book.tickMicros)
        }
        return high >= low ? (high - low) / grid + 1 : 0
    }

    /// Cancels every resting order of the book and leaves it empty and delisted.
    private func delist(_ handle: Int, _ events: inout [EngineEvent]) {
        let book = books[handle]
        for index in liveOrders(book) {
            let slot = pool.slots[Int(index)]
            events.append(.report(report(slot, .canceled, .instrumentChange, .delisted, leaves: 0, time: clock)))
            retire(index)
        }
        let lastTrade = book.lastTrade
        install(instruments[handle], status: .delisted)
        books[handle].lastTrade = lastTrade
    }

    /// A book's live slots, by level (lowest price first) and time within a level.
    private func liveOrders(_ book: PriceLadder) -> [Int32] {
        var result: [Int32] = []
        var level = book.lowestNonEmpty(atOrAbove: 0)
        while level >= 0 {
            var cursor = book.levels[level].head
            while cursor >= 0 {
                result.append(cursor)
                cursor = pool.slots[Int(cursor)].next
            }
            level = book.lowestNonEmpty(atOrAbove: level + 1)
        }
        return result
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
