/// When window results are emitted.
public enum EmitMode: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Like ksqlDB `EMIT CHANGES`: every accepted trade emits the updated result of each window it falls in.
    /// Unlike ksqlDB there is no cache-dependent de-duplication, so the output is deterministic.
    case changes = 0
    /// Like ksqlDB `EMIT FINAL`: exactly one result per window, once stream time reaches `end + grace`.
    case final = 1

    public var description: String { self == .changes ? "CHANGES" : "FINAL" }
}

/// Which results an aggregator produces; a Kafka stage turns on only what it writes.
public struct AnalyticsOutputs: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Per symbol and window: SMA, VWAP, count, volume, OHLC, profit (`SMA_HOPPING_TABLE`, `stock_profit`).
    public static let symbolWindows = AnalyticsOutputs(rawValue: 1)
    /// Per window: the profit ranking of every symbol that traded in it (`top_profit`).
    public static let topProfit = AnalyticsOutputs(rawValue: 2)
    public static let all: AnalyticsOutputs = [.symbolWindows, .topProfit]
}

/// Everything that determines an aggregator's output besides its input.
public struct AnalyticsConfiguration: Sendable, Hashable {
    /// The project's default grace period: one minute, for both emit modes.
    ///
    /// ksqlDB uses `max(24h − size, 0)` for EMIT CHANGES (23 h 50 min for the 10-minute SMA, but 0 for a daily
    /// window) and 0 for EMIT FINAL. Here trades come from a deterministic matcher that stamps them in
    /// per-partition order, so disorder is small (gateway clock skew, retries); one minute absorbs that while
    /// keeping FINAL results one minute behind the window end and state bounded by `size + grace`, instead of a day.
    public static let defaultGrace: Int64 = 60_000

    public var window: WindowSpec
    /// How long after a window's end (in stream time) late trades are still accepted; then the window closes.
    public var grace: Int64
    public var emitMode: EmitMode
    public var outputs: AnalyticsOutputs

    /// The largest number of slices per symbol the aggregator keeps (`(size + grace) / sliceWidth`, rounded up
    /// to a power of two); configurations needing more are refused to keep memory bounded.
    public static let maximumSlicesPerSymbol = 1 << 16

    public init(
        window: WindowSpec = .defaultHopping,
        grace: Int64 = AnalyticsConfiguration.defaultGrace,
        emitMode: EmitMode = .changes,
        outputs: AnalyticsOutputs = .all
    ) throws(AnalyticsError) {
        guard grace >= 0 else { throw .invalidConfiguration("grace period must not be negative, got \(grace) ms") }
        guard grace <= Int64(Int32.max) * 1000 else { throw .invalidConfiguration("grace period \(grace) ms is too large") }
        guard window.size <= Int64(Int32.max) * 1000 else {
            throw .invalidConfiguration("window size \(window.size) ms is too large")
        }
        self.window = window
        self.grace = grace
        self.emitMode = emitMode
        self.outputs = outputs
        guard slicesNeeded <= Self.maximumSlicesPerSymbol else {
            throw .invalidConfiguration(
                "size + grace spans \(slicesNeeded) slices of \(window.sliceWidth) ms; at most \(Self.maximumSlicesPerSymbol) are kept per symbol"
            )
        }
    }

    /// Slices that can be live at once: those of every window not yet closed, plus the current one.
    var slicesNeeded: Int64 {
        let width = window.sliceWidth
        return (window.size + grace + width - 1) / width + 2
    }
}
