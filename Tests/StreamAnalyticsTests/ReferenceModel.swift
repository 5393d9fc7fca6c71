import StreamAnalytics

/// A brute-force restatement of the analytics' definition: keeps every accepted trade per window and recomputes
/// results from scratch. Slow and obviously right, so the slice-based aggregator is checked against it.
struct ReferenceModel {
    enum Event: Hashable {
        case trade(AnalyticsTrade)
        case tick(Int64)
    }

    let size: Int64
    let advance: Int64
    let grace: Int64
    let mode: EmitMode
    let outputs: AnalyticsOutputs
    var streamTime: Int64? = nil
    var windows: [Int64: [AnalyticsTrade]] = [:]  // window index → accepted trades
    var closed: Set<Int64> = []

    init(_ configuration: AnalyticsConfiguration) {
        size = configuration.window.size
        advance = configuration.window.advance
        grace = configuration.grace
        mode = configuration.emitMode
        outputs = configuration.outputs
    }

    /// Brute force: every k ≥ 0 with k·advance ≤ t < k·advance + size.
    static func windowIndices(_ time: Int64, size: Int64, advance: Int64) -> [Int64] {
        stride(from: Int64(0), through: time / advance, by: 1).filter { $0 * advance <= time && time < $0 * advance + size }
    }

    func isClosed(_ index: Int64, at streamTime: Int64) -> Bool { index * advance + size + grace <= streamTime }

    mutating func apply(_ event: Event) -> [AnalyticsOutput] {
        var out: [AnalyticsOutput] = []
        let time: Int64
        switch event {
        case .trade(let trade): time = trade.time
        case .tick(let tick): time = tick
        }
        let newStreamTime = max(streamTime ?? time, time)
        // Close every window that stream time has passed, oldest first.
        let closing = windows.keys.filter { !closed.contains($0) && isClosed($0, at: newStreamTime) }.sorted()
        for index in closing {
            closed.insert(index)
            if mode == .final { out += results(window: index, symbol: nil) }
        }
        streamTime = newStreamTime
        guard case .trade(let trade) = event else { return out }
        let indices = Self.windowIndices(trade.time, size: size, advance: advance)
        let missed = indices.filter { isClosed($0, at: newStreamTime) }
        let open = indices.filter { !isClosed($0, at: newStreamTime) }
        if !missed.isEmpty {
            out.append(.lateTrade(LateTrade(
                trade: trade, missedWindowStarts: missed.map { $0 * advance }, appliedToOpenWindows: !open.isEmpty,
                streamTime: newStreamTime, grace: grace, windowSize: size)))
        }
        for index in open {
            windows[index, default: []].append(trade)
            if mode == .changes { out += results(window: index, symbol: trade.symbol) }
        }
        return out
    }

    func results(window index: Int64, symbol only: String?) -> [AnalyticsOutput] {
        let trades = windows[index] ?? []
        let symbols = Set(trades.map(\.symbol)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var out: [AnalyticsOutput] = []
        var entries: [ProfitRankEntry] = []
        for symbol in symbols {
            let result = Self.result(symbol: symbol, start: index * advance, size: size, trades: trades.filter { $0.symbol == symbol })
            if outputs.contains(.symbolWindows), only == nil || only == symbol { out.append(.symbolWindow(result)) }
            entries.append(ProfitRankEntry(
                symbol: symbol, profit: result.profit, profitPercent: result.profitPercent, open: result.open,
                close: result.close))
        }
        if outputs.contains(.topProfit), !entries.isEmpty {
            let ranking = entries.sorted {
                $0.profit != $1.profit ? $0.profit > $1.profit : $0.symbol.utf8.lexicographicallyPrecedes($1.symbol.utf8)
            }
            out.append(.topProfit(TopProfitResult(
                windowStart: index * advance, windowEnd: index * advance + size, ranking: ranking,
                timestamp: trades.map(\.time).max() ?? 0)))
        }
        return out
    }

    /// Small values only (the tests keep Σ price·quantity well inside Int64).
    static func result(symbol: String, start: Int64, size: Int64, trades: [AnalyticsTrade]) -> SymbolWindowResult {
        let count = Int64(trades.count)
        let volume = trades.reduce(0) { $0 + $1.quantity }
        let sum = trades.reduce(0) { $0 + $1.price }
        let notional = trades.reduce(0) { $0 + $1.price * $1.quantity }
        let first = trades.min { ($0.time, $0.seq) < ($1.time, $1.seq) }!
        let last = trades.max { ($0.time, $0.seq) < ($1.time, $1.seq) }!
        let profit = last.price - first.price
        let percent = (2 * profit.magnitude * 100_000_000 + UInt64(first.price)) / (2 * UInt64(first.price))
        return SymbolWindowResult(
            symbol: symbol, windowStart: start, windowEnd: start + size, count: count, volume: volume,
            sma: (2 * sum + count) / (2 * count), vwap: (2 * notional + volume) / (2 * volume), open: first.price,
            high: trades.map(\.price).max()!, low: trades.map(\.price).min()!, close: last.price, profit: profit,
            profitPercent: profit < 0 ? -Int64(percent) : Int64(percent), timestamp: trades.map(\.time).max()!)
    }
}

/// Feeds events to an aggregator through its public API.
func run(_ aggregator: inout WindowAggregator, _ events: some Sequence<ReferenceModel.Event>) throws -> [AnalyticsOutput] {
    var out: [AnalyticsOutput] = []
    for event in events {
        switch event {
        case .trade(let trade): out += try aggregator.process(trade)
        case .tick(let time): out += try aggregator.tick(time)
        }
    }
    return out
}

/// A small deterministic generator for scenario building (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random scenario: mostly increasing event times with jitter backwards (late and in-grace trades), ticks,
/// few symbols (so rankings tie), equal timestamps (so seq breaks ties).
func randomEvents(seed: UInt64, count: Int, span: Int64) -> [ReferenceModel.Event] {
    var rng = SplitMix(state: seed)
    let symbols = ["AAPL", "GOOG", "FB", "TSLA"]
    var clock: Int64 = Int64.random(in: 0...span / 4, using: &rng)
    var events: [ReferenceModel.Event] = []
    for seq in 0..<Int64(count) {
        clock += Int64.random(in: 0...max(1, span / Int64(count)), using: &rng)
        let jitter = Bool.random(using: &rng) ? Int64.random(in: 0...span / 6, using: &rng) : 0
        let time = max(0, clock - jitter)
        if Int.random(in: 0..<10, using: &rng) == 0 {
            events.append(.tick(time))
        } else {
            events.append(.trade(AnalyticsTrade(
                symbol: symbols[Int.random(in: 0..<symbols.count, using: &rng)],
                price: Int64.random(in: 1_000_000...1_000_040, using: &rng),
                quantity: Int64.random(in: 1...50, using: &rng), time: time, seq: (seq * 7919) % 10007)))
        }
    }
    return events
}
