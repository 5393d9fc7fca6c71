/// Event-time windowed analytics over one stream of trades: per symbol SMA, VWAP, count, volume, OHLC and
/// profit, and the profit ranking of all symbols per window.
///
/// One aggregator serves one input partition: its stream time is the largest event time it has seen (trades and
/// ticks), shared by all symbols, as in Kafka Streams. A window closes when stream time reaches `end + grace`;
/// trades for closed windows are reported as ``LateTrade`` instead of being dropped silently. Work is shared
/// between overlapping windows: each trade updates one slice of `gcd(size, advance)` ms in a per-symbol ring
/// buffer, and windows are merged from their slices only when they emit. Memory is
/// `symbols × ceil((size + grace) / slice)` slices and does not grow with the input.
///
/// Deterministic: the same input gives the same outputs in the same order; ``snapshot()`` and
/// ``init(snapshot:)`` restore an aggregator that continues exactly as the original would.
public struct WindowAggregator: Sendable {
    public let configuration: AnalyticsConfiguration

    // Configuration, unpacked for the hot path.
    let size: Int64
    let advance: Int64
    let grace: Int64
    let sliceWidth: Int64
    let ringSize: Int
    let ringMask: Int64

    // Symbols: dense ids in order of first appearance, and their order by name for deterministic output.
    var symbols: [String] = []
    var symbolIds: [String: Int] = [:]
    var symbolsByName: [Int] = []

    /// `symbols.count × ringSize` slots; symbol `s` owns `[s·ringSize, (s+1)·ringSize)`.
    var slices: [SliceAggregate] = []

    /// Largest event time seen; `Int64.min` before the first trade or tick.
    var streamTimeValue: Int64 = .min
    /// Largest event time of an accepted trade; `Int64.min` before the first.
    var maxTradeTime: Int64 = .min
    /// Index of the oldest window not yet closed; every window with a smaller index is closed.
    var nextCloseIndex: Int64 = 0
    /// Stream time at which window `nextCloseIndex` closes.
    var closeDeadline: Int64
    /// Trades earlier than this miss at least one closed window.
    var onTimeFrom: Int64 = 0

    // Cache of the slice the last trade fell in (input is mostly in time order).
    var cachedSliceIndex: Int64 = -1
    var cachedSliceStart: Int64 = 0
    var cachedSliceEnd: Int64 = 0

    // Ranking work buffers, indexed by name rank (not state: never snapshotted).
    var rankScratch: [RankCell] = []
    var rankPresent: [Bool] = []
    var rankOrders: [Int64: [Int]] = [:]
    /// CHANGES mode with rankings: each symbol's ranking line per open window, updated when its trades change it,
    /// so re-ranking a window after a trade reads one cell per symbol. Derived from the slices (rebuilt on restore).
    let keepsRankCells: Bool
    let windowRing: Int
    var rankCells: [RankCell] = []

    /// Results not yet taken by the caller, in emission order.
    public private(set) var pendingOutputs: [AnalyticsOutput] = []

    public init(configuration: AnalyticsConfiguration) {
        self.configuration = configuration
        size = configuration.window.size
        advance = configuration.window.advance
        grace = configuration.grace
        sliceWidth = configuration.window.sliceWidth
        var ring = 1
        while ring < configuration.slicesNeeded { ring <<= 1 }
        ringSize = ring
        ringMask = Int64(ring - 1)
        closeDeadline = size + grace
        keepsRankCells = configuration.emitMode == .changes && configuration.outputs.contains(.topProfit)
        var windows = 1
        while windows < (size + grace) / advance + 3 { windows <<= 1 }
        windowRing = windows
    }

    // MARK: Public state

    /// Largest event time seen, or `nil` before the first trade or tick.
    public var streamTime: Int64? { streamTimeValue == .min ? nil : streamTimeValue }

    /// The largest event time accepted (about 146 million years after the epoch), so window arithmetic never
    /// overflows.
    public static let maximumTimestamp: Int64 = Int64.max / 2

    /// Every window starting before this is closed (its FINAL result, if any, has been emitted); windows starting
    /// here or later are open. A per-partition watermark for merging rankings across partitions.
    public var firstOpenWindowStart: Int64 { nextCloseIndex * advance }

    /// Symbols seen so far, in order of first appearance (the order of their ``SymbolId``s).
    public var knownSymbols: [String] { symbols }

    /// Returns the dense id of `symbol`, registering it on first use. Resolve ids once per symbol and feed trades
    /// through ``add(symbol:price:quantity:time:seq:)`` to keep dictionary lookups off the hot path.
    public mutating func intern(_ symbol: String) throws(AnalyticsError) -> SymbolId {
        if let id = symbolIds[symbol] { return SymbolId(id) }
        guard !symbol.isEmpty else { throw .invalidField(field: "symbol", problem: "must not be empty") }
        guard symbol.utf8.count <= 255 else {
            throw .invalidField(field: "symbol", problem: "longer than 255 bytes")
        }
        let id = symbols.count
        symbols.append(symbol)
        symbolIds[symbol] = id
        slices.append(contentsOf: repeatElement(SliceAggregate(), count: ringSize))
        if keepsRankCells { rankCells.append(contentsOf: repeatElement(RankCell(), count: windowRing)) }
        let position = symbolsByName.firstIndex { Self.nameOrder(symbol, symbols[$0]) } ?? symbolsByName.count
        symbolsByName.insert(id, at: position)
        return SymbolId(id)
    }

    static func nameOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    // MARK: Convenience API (allocates an array per call)

    /// Adds one trade and returns what it caused: window results, rankings and late-trade reports.
    public mutating func process(_ trade: AnalyticsTrade) throws(AnalyticsError) -> [AnalyticsOutput] {
        try Self.validate(price: trade.price, quantity: trade.quantity, time: trade.time)
        let id = try intern(trade.symbol)
        try add(symbol: id, price: trade.price, quantity: trade.quantity, time: trade.time, seq: trade.seq)
        return takeOutputs()
    }

    /// Advances stream time without a trade (a clock tick) and returns the results of the windows it closed.
    public mutating func tick(_ time: Int64) throws(AnalyticsError) -> [AnalyticsOutput] {
        try advance(to: time)
        return takeOutputs()
    }

    // MARK: Hot path (results accumulate in `pendingOutputs`)

    /// Adds one trade; results are appended to ``pendingOutputs``. Invalid input throws before any state changes.
    public mutating func add(
        symbol: SymbolId, price: Int64, quantity: Int64, time: Int64, seq: Int64
    ) throws(AnalyticsError) {
        let symbolIndex = symbol.rawValue
        guard symbolIndex >= 0, symbolIndex < symbols.count else { throw .unknownSymbolId(symbolIndex) }
        guard price > 0, quantity > 0, time >= 0, time <= Self.maximumTimestamp else {
            try Self.validate(price: price, quantity: quantity, time: time)
            return
        }
        if time > streamTimeValue { moveStreamTime(to: time) }
        if time < onTimeFrom {
            guard reportLate(symbol: symbolIndex, price: price, quantity: quantity, time: time, seq: seq) else {
                return
            }
        }
        let sliceIndex: Int64
        if time >= cachedSliceStart && time < cachedSliceEnd {
            sliceIndex = cachedSliceIndex
        } else {
            sliceIndex = time / sliceWidth
            cachedSliceIndex = sliceIndex
            cachedSliceStart = sliceIndex * sliceWidth
            cachedSliceEnd = cachedSliceStart + sliceWidth
        }
        let slot = symbolIndex &* ringSize &+ Int(sliceIndex & ringMask)
        if slices[slot].index == sliceIndex {
            slices[slot].add(price: price, quantity: quantity, time: time, seq: seq)
        } else {
            slices[slot].start(index: sliceIndex, price: price, quantity: quantity, time: time, seq: seq)
        }
        if time > maxTradeTime { maxTradeTime = time }
        if configuration.emitMode == .changes { emitChanges(symbol: symbolIndex, time: time) }
    }

    /// Advances stream time to `time` (ignored if not later), closing every window whose `end + grace` it
    /// reaches; in FINAL mode their results are appended to ``pendingOutputs``.
    public mutating func advance(to time: Int64) throws(AnalyticsError) {
        guard time >= 0 else { throw .invalidField(field: "timestamp", problem: "must not be negative, got \(time)") }
        guard time <= Self.maximumTimestamp else {
            throw .invalidField(field: "timestamp", problem: "must be at most \(Self.maximumTimestamp), got \(time)")
        }
        if time > streamTimeValue { moveStreamTime(to: time) }
    }

    /// Returns and clears ``pendingOutputs``.
    public mutating func takeOutputs() -> [AnalyticsOutput] {
        defer { pendingOutputs.removeAll(keepingCapacity: true) }
        return pendingOutputs
    }

    /// Hands every pending output to `body` in order, then clears them, keeping the buffer's capacity.
    public mutating func drainOutputs<E: Error>(_ body: (AnalyticsOutput) throws(E) -> Void) throws(E) {
        defer { pendingOutputs.removeAll(keepingCapacity: true) }
        for output in pendingOutputs { try body(output) }
    }

    static func validate(price: Int64, quantity: Int64, time: Int64) throws(AnalyticsError) {
        guard price > 0 else { throw .invalidField(field: "price", problem: "must be positive, got \(price) micros") }
        guard quantity > 0 else { throw .invalidField(field: "quantity", problem: "must be positive, got \(quantity)") }
        guard time >= 0 else {
            throw .invalidField(field: "timestamp", problem: "must not be negative (windows start at the epoch), got \(time)")
        }
        guard time <= maximumTimestamp else {
            throw .invalidField(field: "timestamp", problem: "must be at most \(maximumTimestamp), got \(time)")
        }
    }

    // MARK: Stream time and window closing

    mutating func moveStreamTime(to time: Int64) {
        streamTimeValue = time
        guard time >= closeDeadline else { return }
        let firstOpen = firstOpenWindowIndex(streamTime: time)
        if configuration.emitMode == .final {
            while nextCloseIndex < firstOpen {
                if maxTradeTime == .min || nextCloseIndex * advance > maxTradeTime { break }
                emitWindow(index: nextCloseIndex)
                nextCloseIndex += 1
            }
        }
        nextCloseIndex = firstOpen
        if !rankOrders.isEmpty { rankOrders = rankOrders.filter { $0.key >= firstOpen } }
        closeDeadline = firstOpen * advance + size + grace
        onTimeFrom = firstOpen == 0 ? 0 : firstOpen * advance + size - advance
    }

    /// The smallest window index `k` with `k·advance + size + grace > streamTime`.
    func firstOpenWindowIndex(streamTime: Int64) -> Int64 {
        let lastClosedStart = streamTime - size - grace
        return lastClosedStart < 0 ? 0 : lastClosedStart / advance + 1
    }

    /// Handles a trade that misses closed windows: reports it, and returns whether it still counts in open ones.
    mutating func reportLate(symbol: Int, price: Int64, quantity: Int64, time: Int64, seq: Int64) -> Bool {
        let spec = configuration.window
        let first = spec.firstWindowIndex(containing: time)
        let last = spec.lastWindowIndex(containing: time)
        let missedEnd = min(last + 1, nextCloseIndex)
        let applied = last >= nextCloseIndex
        let trade = AnalyticsTrade(symbol: symbols[symbol], price: price, quantity: quantity, time: time, seq: seq)
        pendingOutputs.append(.lateTrade(LateTrade(
            trade: trade, missedWindowStarts: (first..<missedEnd).map { $0 * advance }, appliedToOpenWindows: applied,
            streamTime: streamTimeValue, grace: grace, windowSize: size
        )))
        return applied
    }

    // MARK: Emitting

    mutating func emitChanges(symbol: Int, time: Int64) {
        let spec = configuration.window
        let first = max(spec.firstWindowIndex(containing: time), nextCloseIndex)
        let last = spec.lastWindowIndex(containing: time)
        guard first <= last else { return }
        for index in first...last {
            let start = index * advance
            if configuration.outputs.contains(.symbolWindows) {
                let merged = mergedWindow(symbol: symbol, start: start)
                pendingOutputs.append(.symbolWindow(result(symbol: symbol, start: start, merged)))
            }
            if configuration.outputs.contains(.topProfit) {
                updateRankCell(symbol: symbol, index: index)
                if let top = ranking(start: start) { pendingOutputs.append(.topProfit(top)) }
            }
        }
    }

    /// Recomputes `symbol`'s ranking line for window `index` from its slices (CHANGES mode with rankings).
    mutating func updateRankCell(symbol: Int, index: Int64) {
        guard keepsRankCells else { return }
        rankCells[symbol &* windowRing &+ Int(index & Int64(windowRing - 1))] =
            rankCell(symbol: symbol, index: index) ?? RankCell()
    }

    /// Rebuilds every ranking line of the open windows (after a restore).
    mutating func rebuildRankCells() {
        guard keepsRankCells, streamTimeValue >= 0 else { return }
        let last = configuration.window.lastWindowIndex(containing: streamTimeValue)
        guard nextCloseIndex <= last else { return }
        for symbol in symbols.indices {
            for index in nextCloseIndex...last { updateRankCell(symbol: symbol, index: index) }
        }
    }

    func rankCell(symbol: Int, index: Int64) -> RankCell? {
        guard let prices = openClose(symbol: symbol, start: index * advance) else { return nil }
        let profit = prices.close - prices.open
        return RankCell(
            window: index, open: prices.open, close: prices.close, profit: profit,
            percent: profitPercentMicros(profit: profit, open: prices.open), time: prices.time)
    }

    /// Emits the final results of window `index` (FINAL mode), symbols in name order, then the ranking.
    mutating func emitWindow(index: Int64) {
        let start = index * advance
        if configuration.outputs.contains(.symbolWindows) {
            for symbol in symbolsByName {
                let merged = mergedWindow(symbol: symbol, start: start)
                if merged.count > 0 { pendingOutputs.append(.symbolWindow(result(symbol: symbol, start: start, merged))) }
            }
        }
        if configuration.outputs.contains(.topProfit), let top = ranking(start: start) {
            pendingOutputs.append(.topProfit(top))
        }
    }

    /// The merge of `symbol`'s slices in window `[start, start + size)`; `count == 0` when it has no trades there.
    func mergedWindow(symbol: Int, start: Int64) -> SliceAggregate {
        var merged = SliceAggregate()
        let base = symbol &* ringSize
        var sliceIndex = start / sliceWidth
        let endSlice = (start + size) / sliceWidth
        while sliceIndex < endSlice {
            let slot = base &+ Int(sliceIndex & ringMask)
            if slices[slot].index == sliceIndex { merged.merge(later: slices[slot]) }
            sliceIndex += 1
        }
        return merged
    }

    func result(symbol: Int, start: Int64, _ merged: SliceAggregate) -> SymbolWindowResult {
        let profit = merged.closePrice - merged.openPrice
        return SymbolWindowResult(
            symbol: symbols[symbol], windowStart: start, windowEnd: start + size, count: merged.count,
            volume: merged.volume, sma: merged.priceSum.roundedQuotient(dividingBy: UInt64(merged.count)),
            vwap: merged.notional.roundedQuotient(dividingBy: UInt64(merged.volume)), open: merged.openPrice,
            high: merged.high, low: merged.low, close: merged.closePrice, profit: profit,
            profitPercent: profitPercentMicros(profit: profit, open: merged.openPrice), timestamp: merged.closeTime
        )
    }

    /// Open and close prices and the latest event time of `symbol` in window `[start, start + size)`, or nil.
    func openClose(symbol: Int, start: Int64) -> (open: Int64, close: Int64, time: Int64)? {
        let base = symbol &* ringSize
        var sliceIndex = start / sliceWidth
        let endSlice = (start + size) / sliceWidth
        var found: (open: Int64, close: Int64, time: Int64)? = nil
        while sliceIndex < endSlice {
            let slot = base &+ Int(sliceIndex & ringMask)
            if slices[slot].index == sliceIndex {
                let slice = slices[slot]
                found = (found?.open ?? slice.openPrice, slice.closePrice, slice.closeTime)
            }
            sliceIndex += 1
        }
        return found
    }

    /// The ranking of window `[start, start + size)`: profit descending, then symbol name ascending.
    ///
    /// In CHANGES mode a window is re-ranked after every trade, and only one symbol moved; starting from the
    /// window's previous order, insertion sort does O(symbols) work. The cached order is only a starting point:
    /// the result is the same total order whatever it holds, so it is not part of snapshots.
    mutating func ranking(start: Int64) -> TopProfitResult? {
        let index = start / advance
        let count = symbolsByName.count
        if rankScratch.count != count {
            rankScratch = Array(repeating: RankCell(), count: count)
            rankPresent = Array(repeating: false, count: count)
        }
        var timestamp = Int64.min
        var present = 0
        let windowSlot = Int(index & Int64(windowRing - 1))
        for rank in 0..<count {
            let symbol = symbolsByName[rank]
            let found: RankCell?
            if keepsRankCells {
                let cell = rankCells[symbol &* windowRing &+ windowSlot]
                found = cell.window == index ? cell : nil
            } else {
                found = rankCell(symbol: symbol, index: index)
            }
            if let cell = found {
                rankScratch[rank] = cell
                rankPresent[rank] = true
                present += 1
                if cell.time > timestamp { timestamp = cell.time }
            } else {
                rankPresent[rank] = false
            }
        }
        guard present > 0 else { return nil }
        var order = rankOrders.removeValue(forKey: index) ?? []
        order.removeAll { $0 >= count || !rankPresent[$0] }
        if order.count < present {
            // Symbols new to this window (or renumbered by a new symbol's arrival): rebuild the order.
            order = (0..<count).filter { rankPresent[$0] }
        }
        for position in 1..<max(order.count, 1) {
            let moving = order[position]
            let profit = rankScratch[moving].profit
            var slot = position
            while slot > 0 {
                let other = order[slot - 1]
                let otherProfit = rankScratch[other].profit
                guard otherProfit < profit || (otherProfit == profit && other > moving) else { break }
                order[slot] = other
                slot -= 1
            }
            order[slot] = moving
        }
        let ranking = order.map { rank in
            let cell = rankScratch[rank]
            return ProfitRankEntry(
                symbol: symbols[symbolsByName[rank]], profit: cell.profit, profitPercent: cell.percent, open: cell.open,
                close: cell.close)
        }
        if configuration.emitMode == .changes { rankOrders[index] = order }
        return TopProfitResult(windowStart: start, windowEnd: start + size, ranking: ranking, timestamp: timestamp)
    }
}

/// One symbol's line in one window's ranking.
struct RankCell: Sendable {
    /// The window index this cell describes, or -1.
    var window: Int64 = -1
    var open: Int64 = 0
    var close: Int64 = 0
    var profit: Int64 = 0
    var percent: Int64 = 0
    /// The symbol's latest event time in the window.
    var time: Int64 = 0
}
