import ExchangeRecords
import Foundation
import StreamAnalytics

/// The internal record of `top_profit_partials`: one partition's final ranking of a window, or a partition's
/// watermark ("every window ending at or before `closedThrough` is final here").
///
/// The ranking of a window needs every symbol, and symbols live in different partitions. Each partition ranks its
/// own symbols once its stream time closes a window, then advances its watermark; the single merger emits a window
/// once all partitions' watermarks have passed it. A partition writes a window's partial before the watermark that
/// passes it, so the merged ranking depends only on the set of partials — deterministic, whatever the interleaving.
struct TopPartial: Codable, Equatable, Sendable {
    /// Internal topic, one partition.
    static let topic = Topology.topProfitPartials.name

    struct Entry: Codable, Equatable, Sendable {
        var symbol: String
        var profit: Int64
        var profitPercent: Int64
        var open: Int64
        var close: Int64
    }

    var partition: Int32
    var closedThrough: Int64?
    var windowStart: Int64?
    var windowEnd: Int64?
    var timestamp: Int64?
    var ranking: [Entry]?

    static func watermark(partition: Int32, closedThrough: Int64) -> TopPartial {
        TopPartial(partition: partition, closedThrough: closedThrough)
    }

    static func window(partition: Int32, result: TopProfitResult) -> TopPartial {
        TopPartial(
            partition: partition, windowStart: result.windowStart, windowEnd: result.windowEnd,
            timestamp: result.timestamp,
            ranking: result.ranking.map {
                Entry(symbol: $0.symbol, profit: $0.profit, profitPercent: $0.profitPercent, open: $0.open, close: $0.close)
            })
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    /// The partition's ranking of its window (nil for a watermark).
    var result: TopProfitResult? {
        guard let windowStart, let windowEnd, let ranking else { return nil }
        return TopProfitResult(
            windowStart: windowStart, windowEnd: windowEnd,
            ranking: ranking.map {
                ProfitRankEntry(symbol: $0.symbol, profit: $0.profit, profitPercent: $0.profitPercent, open: $0.open, close: $0.close)
            }, timestamp: timestamp ?? windowStart)
    }

    var key: String {
        if let windowStart { return "\(windowStart)@\(partition)" }
        return "@\(partition)"
    }
}

/// The merger's state: partials per window and the partitions' watermarks.
struct TopMergeState: Codable, Equatable, Sendable {
    var partitions: Int32
    var watermarks: [Int32: Int64] = [:]
    /// windowStart → partition → partial
    var partials: [Int64: [Int32: TopPartial]] = [:]
    /// Every window ending at or before this has been emitted (or had nothing to emit).
    var doneThrough: Int64 = .min

    init(partitions: Int32) { self.partitions = partitions }

    /// Applies one partial or watermark; returns the windows that became complete, in ascending order.
    mutating func apply(_ partial: TopPartial) -> [TopProfitResult] {
        if let closedThrough = partial.closedThrough {
            watermarks[partial.partition] = max(watermarks[partial.partition] ?? .min, closedThrough)
        } else if let start = partial.windowStart, let end = partial.windowEnd, end > doneThrough {
            partials[start, default: [:]][partial.partition] = partial
        }
        guard watermarks.count == Int(partitions), let low = watermarks.values.min(), low > doneThrough else {
            return []
        }
        var complete: [TopProfitResult] = []
        for start in partials.keys.sorted() {
            guard let byPartition = partials[start], let end = byPartition.values.first?.windowEnd, end <= low else {
                continue
            }
            partials[start] = nil
            let rankings = byPartition.keys.sorted().compactMap { byPartition[$0]?.result }
            if let merged = TopProfitResult.merging(rankings) { complete.append(merged) }
        }
        doneThrough = low
        return complete
    }
}
