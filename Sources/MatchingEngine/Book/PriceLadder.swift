import ExchangeVocabulary

/// One price level: its FIFO queue (head/tail slot indices) and aggregate quantity.
struct Level {
    var head: Int32 = -1
    var tail: Int32 = -1
    var quantity: Int64 = 0
    var orders: Int32 = 0
}

/// The price levels of one instrument, an array indexed by tick offset from `base`, plus a bitmap of
/// non-empty levels so the next best price is found a word (64 levels) at a time.
///
/// Both sides share the array: a book that is not crossed never holds bids and asks at the same price,
/// every non-empty level at or below the best bid is a bid and every one at or above the best ask an ask.
final class PriceLadder {
    let symbol: UInt32
    /// The grid the levels are on, in micros: the instrument's tick when the book was built. A later tick that is
    /// not a multiple of it rebuilds the book on a finer grid (`Engine.redefine`).
    let tickMicros: Int64
    /// The rules new orders are checked against; an instrument change replaces them, resting orders stay.
    @exclusivity(unchecked) var ruleTickMicros: Int64
    @exclusivity(unchecked) var lotSize: Int64
    /// Inclusive; Int64.min / Int64.max when unbanded.
    @exclusivity(unchecked) var lowerBandMicros: Int64
    @exclusivity(unchecked) var upperBandMicros: Int64
    @exclusivity(unchecked) var maxOrderQuantity: Int64
    /// A banded ladder never grows; it spans at least the band.
    @exclusivity(unchecked) var banded: Bool
    /// nil: a symbol that was never listed (a placeholder keeping book indices equal to symbol handles).
    @exclusivity(unchecked) var status: InstrumentStatus? {
        didSet { trading = status == .trading }
    }
    /// `status == .trading`, kept as a plain flag for the order path.
    @exclusivity(unchecked) private(set) var trading: Bool

    @exclusivity(unchecked) private(set) var base: Int64 = 0
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private(set) var levels: UnsafeMutablePointer<Level>
    @exclusivity(unchecked) private(set) var bits: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private(set) var words = 0
    /// One bit per word of `bits`, set when that word has a non-empty level: the next best price across a wide,
    /// sparse book (a crash walks tens of thousands of ticks) is found 4,096 levels at a time.
    @exclusivity(unchecked) private(set) var summary: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private(set) var summaryWords = 0
    /// Level indices of the best bid / ask, -1 when that side is empty.
    @exclusivity(unchecked) var bestBid = -1
    @exclusivity(unchecked) var bestAsk = -1
    @exclusivity(unchecked) var lastTrade: LastTrade?

    /// Most levels an unbanded book may span (4M ticks); a farther price is rejected.
    static let maxLevels: Int64 = 1 << 22
    static let initialUnbandedLevels: Int64 = 4096

    /// A book on `gridMicros` (default: the instrument's tick) whose levels span the band and `cover` (micros,
    /// prices of orders to re-rest).
    init(
        symbol: UInt32, instrument: Instrument, status: InstrumentStatus? = .trading, gridMicros: Int64? = nil,
        cover: ClosedRange<Int64>? = nil
    ) {
        self.symbol = symbol
        tickMicros = gridMicros ?? instrument.tickSize.micros
        (ruleTickMicros, lotSize, maxOrderQuantity, banded, lowerBandMicros, upperBandMicros) = PriceLadder.rules(instrument)
        self.status = status
        trading = status == .trading
        levels = .allocate(capacity: 1)
        bits = .allocate(capacity: 1)
        summary = .allocate(capacity: 1)
        var low = banded ? lowerBandMicros : cover?.lowerBound
        var high = banded ? upperBandMicros : cover?.upperBound
        if let cover, let l = low, let h = high {
            low = min(l, cover.lowerBound)
            high = max(h, cover.upperBound)
        }
        if let low, let high {
            let lowTick = low / tickMicros
            reshape(base: lowTick, count: Int(high / tickMicros - lowTick + 1))
        }
    }

    /// Takes an instrument's new rules for new orders; the levels and the resting orders stay.
    func adopt(_ instrument: Instrument) {
        (ruleTickMicros, lotSize, maxOrderQuantity, banded, lowerBandMicros, upperBandMicros) = PriceLadder.rules(instrument)
    }

    /// Tick, lot, maximum quantity, whether banded, and the band (Int64.min / .max when unbanded).
    private static func rules(_ i: Instrument) -> (Int64, Int64, Int64, Bool, Int64, Int64) {
        (i.tickSize.micros, i.lotSize, i.maxOrderQuantity ?? Instrument.maximumOrderQuantity, i.priceBand != nil,
         i.priceBand?.lower.micros ?? .min, i.priceBand?.upper.micros ?? .max)
    }

    /// Whether the levels can hold every price `instrument` allows without rebuilding.
    func fits(_ instrument: Instrument) -> Bool {
        guard instrument.tickSize.micros % tickMicros == 0 else { return false }
        guard let band = instrument.priceBand else { return true }
        return existingIndex(forTick: band.lower.micros / tickMicros) != nil
            && existingIndex(forTick: band.upper.micros / tickMicros) != nil
    }

    /// Why a limit price does not fit this instrument: the vocabulary's rule, the gateway's too.
    @inline(__always)
    func refusal(priceMicros: Int64) -> Reason? {
        InstrumentRules.validate(
            priceMicros: priceMicros, tickSizeMicros: ruleTickMicros, lowerBandMicros: lowerBandMicros, upperBandMicros: upperBandMicros)
    }

    /// Why an order quantity does not fit this instrument; the engine's ceiling keeps level sums far from overflow.
    @inline(__always)
    func refusal(quantity: Int64) -> Reason? {
        InstrumentRules.validate(quantity: quantity, lotSize: lotSize, maxOrderQuantity: maxOrderQuantity)
    }

    deinit {
        levels.deallocate()
        bits.deallocate()
        summary.deallocate()
    }

    /// Replaces the (empty or to-be-refilled) storage by a fresh one covering `[base, base + count)`.
    func reshape(base: Int64, count: Int) {
        levels.deallocate()
        bits.deallocate()
        summary.deallocate()
        self.base = base
        self.count = count
        levels = .allocate(capacity: max(1, count))
        levels.initialize(repeating: Level(), count: max(1, count))
        words = (count + 63) >> 6
        bits = .allocate(capacity: max(1, words))
        bits.initialize(repeating: 0, count: max(1, words))
        summaryWords = (words + 63) >> 6
        summary = .allocate(capacity: max(1, summaryWords))
        summary.initialize(repeating: 0, count: max(1, summaryWords))
        bestBid = -1
        bestAsk = -1
    }

    @inline(__always)
    func tick(at index: Int) -> Int64 { base + Int64(index) }

    /// The level index for a price in ticks, growing an unbanded ladder if needed; nil if out of range.
    @inline(__always)
    func index(forTick tick: Int64) -> Int? {
        let offset = tick &- base
        if offset >= 0 && offset < Int64(count) { return Int(offset) }
        return banded ? nil : grow(toInclude: tick)
    }

    /// The level index for a tick without growing; nil when outside the ladder (so no order can be there).
    @inline(__always)
    func existingIndex(forTick tick: Int64) -> Int? {
        let offset = tick &- base
        return offset >= 0 && offset < Int64(count) ? Int(offset) : nil
    }

    private func grow(toInclude tick: Int64) -> Int? {
        guard tick >= 1 else { return nil }
        if count == 0 {
            let low = max(1, tick - PriceLadder.initialUnbandedLevels / 2)
            reshape(base: low, count: Int(PriceLadder.initialUnbandedLevels))
            return Int(tick - low)
        }
        let margin: Int64 = 1024
        let oldHigh = base + Int64(count) - 1
        let newLow = tick < base ? max(1, tick - margin) : base
        let newHigh = tick > oldHigh ? tick + margin : oldHigh
        let span = newHigh - newLow + 1
        guard span <= PriceLadder.maxLevels else {
            // Try without the margin before giving up.
            let tightLow = min(base, tick)
            let tightHigh = max(oldHigh, tick)
            guard tightHigh - tightLow + 1 <= PriceLadder.maxLevels else { return nil }
            regrow(newLow: tightLow, newCount: Int(tightHigh - tightLow + 1))
            return Int(tick - base)
        }
        regrow(newLow: newLow, newCount: Int(span))
        return Int(tick - base)
    }

    /// Re-homes all levels into a larger array (rare; unbanded books only).
    func regrow(newLow: Int64, newCount: Int) {
        let shift = Int(base - newLow)
        let oldLevels = levels
        let oldCount = count
        let oldBid = bestBid
        let oldAsk = bestAsk
        let oldBits = bits
        // reshape frees the current buffers; give it placeholders so the old levels survive the copy.
        levels = .allocate(capacity: 1)
        bits = .allocate(capacity: 1)
        summary.deallocate()
        summary = .allocate(capacity: 1)
        reshape(base: newLow, count: newCount)
        oldBits.deallocate()
        for i in 0..<oldCount where oldLevels[i].orders > 0 {
            levels[i + shift] = oldLevels[i]
            setBit(i + shift)
        }
        oldLevels.deallocate()
        bestBid = oldBid >= 0 ? oldBid + shift : -1
        bestAsk = oldAsk >= 0 ? oldAsk + shift : -1
    }

    @inline(__always)
    func setBit(_ index: Int) {
        bits[index >> 6] |= (1 as UInt64) << UInt64(index & 63)
        summary[index >> 12] |= (1 as UInt64) << UInt64((index >> 6) & 63)
    }

    @inline(__always)
    func clearBit(_ index: Int) {
        bits[index >> 6] &= ~((1 as UInt64) << UInt64(index & 63))
        if bits[index >> 6] == 0 { summary[index >> 12] &= ~((1 as UInt64) << UInt64((index >> 6) & 63)) }
    }

    /// Highest non-empty level at or below `index`, or -1.
    @inline(__always)
    func highestNonEmpty(atOrBelow index: Int) -> Int {
        if index < 0 { return -1 }
        var w = index >> 6
        let shift = UInt64(index & 63)
        let word = bits[w] & (shift == 63 ? ~0 : ((1 as UInt64) << (shift + 1)) &- 1)
        if word != 0 { return (w << 6) + 63 - word.leadingZeroBitCount }
        // The highest non-empty word below w, from the summary.
        w -= 1
        if w < 0 { return -1 }
        var s = w >> 6
        let summaryShift = UInt64(w & 63)
        var group = summary[s] & (summaryShift == 63 ? ~0 : ((1 as UInt64) << (summaryShift + 1)) &- 1)
        while true {
            if group != 0 {
                let found = (s << 6) + 63 - group.leadingZeroBitCount
                return (found << 6) + 63 - bits[found].leadingZeroBitCount
            }
            s -= 1
            if s < 0 { return -1 }
            group = summary[s]
        }
    }

    /// Lowest non-empty level at or above `index`, or -1.
    @inline(__always)
    func lowestNonEmpty(atOrAbove index: Int) -> Int {
        if index >= count { return -1 }
        var w = index >> 6
        let word = bits[w] & (~0 << UInt64(index & 63))
        if word != 0 { return (w << 6) + word.trailingZeroBitCount }
        // The lowest non-empty word above w, from the summary.
        w += 1
        if w >= words { return -1 }
        var s = w >> 6
        var group = summary[s] & (~0 << UInt64(w & 63))
        while true {
            if group != 0 {
                let found = (s << 6) + group.trailingZeroBitCount
                return (found << 6) + bits[found].trailingZeroBitCount
            }
            s += 1
            if s >= summaryWords { return -1 }
            group = summary[s]
        }
    }
}
