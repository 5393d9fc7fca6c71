/// Hopping (or tumbling) event-time windows aligned like ksqlDB and Kafka Streams.
///
/// Window `k` covers `[k * advance, k * advance + size)` in epoch milliseconds: starts are non-negative
/// multiples of `advance` since the epoch, the start is inclusive and the end exclusive. A record at time `t`
/// belongs to every window whose start lies in `(t - size, t]`, and never to a window starting before 0.
/// Tumbling windows are the case `size == advance`.
public struct WindowSpec: Sendable, Hashable, CustomStringConvertible {
    /// Window length in milliseconds.
    public let size: Int64
    /// Distance between consecutive window starts in milliseconds.
    public let advance: Int64

    /// The project's default: SIZE 10 MINUTES, ADVANCE BY 5 MINUTES (as in the seed's SMA query).
    public static let defaultHopping = WindowSpec(uncheckedSize: 600_000, advance: 300_000)

    /// Creates a window specification; `advance` must be in `1...size` (Kafka Streams rejects larger advances).
    public init(size: Int64, advance: Int64) throws(AnalyticsError) {
        guard size > 0 else { throw .invalidConfiguration("window size must be positive, got \(size) ms") }
        guard advance > 0 else { throw .invalidConfiguration("window advance must be positive, got \(advance) ms") }
        guard advance <= size else {
            throw .invalidConfiguration("window advance \(advance) ms must not exceed the size \(size) ms")
        }
        self.init(uncheckedSize: size, advance: advance)
    }

    /// Tumbling windows: `size == advance`.
    public static func tumbling(size: Int64) throws(AnalyticsError) -> WindowSpec {
        try WindowSpec(size: size, advance: size)
    }

    init(uncheckedSize size: Int64, advance: Int64) {
        self.size = size
        self.advance = advance
    }

    /// Whether consecutive windows do not overlap.
    public var isTumbling: Bool { size == advance }

    /// The width of the slices (panes) windows are built from: `gcd(size, advance)`, so every window is a whole
    /// number of slices and each trade updates exactly one slice.
    public var sliceWidth: Int64 { gcd(size, advance) }

    /// The index of the first window containing `time`, as in Kafka Streams' `TimeWindows.windowsFor`.
    @inlinable
    public func firstWindowIndex(containing time: Int64) -> Int64 {
        let earliestStart = time - size + advance
        return earliestStart <= 0 ? 0 : earliestStart / advance
    }

    /// The index of the last window containing `time` (`time` must be non-negative).
    @inlinable
    public func lastWindowIndex(containing time: Int64) -> Int64 { time / advance }

    /// Start times of every window containing `time`, in increasing order (`time` must be non-negative).
    public func windowStarts(containing time: Int64) -> [Int64] {
        guard time >= 0 else { return [] }
        return (firstWindowIndex(containing: time)...lastWindowIndex(containing: time)).map { $0 * advance }
    }

    public var description: String {
        isTumbling ? "TUMBLING (SIZE \(size) ms)" : "HOPPING (SIZE \(size) ms, ADVANCE BY \(advance) ms)"
    }
}

func gcd(_ a: Int64, _ b: Int64) -> Int64 {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
