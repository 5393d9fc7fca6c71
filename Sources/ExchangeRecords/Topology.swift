/// Every topic of the exchange, declared once: key, partitioning, cleanup policy, writers and readers. Whatever creates
/// or names a topic takes it from here. Names and settings are a public contract (ksql/, docker-compose.yml, the table
/// in docs/architecture.md "Topics"); tests hold those to this declaration.
public enum Topology {
    /// A process that writes or reads topics; the stages among them snapshot to a changelog of their own.
    public enum Process: String, Sendable, CaseIterable {
        case gateway, clock, load, split, match, sma, profit, top, analytics, history

        /// The stateful stages (`analytics` is sma, profit and top in one process, as `exchange run` runs them).
        public static let stages: [Process] = [.split, .match, .sma, .profit, .top, .analytics]
    }

    /// How a topic is keyed (the raw value is how docs/architecture.md writes it).
    public enum Key: String, Sendable {
        case symbol, task
        case unkeyed = "none"
        case symbolWindow = "SYMBOL@WINDOW_START"
        case window = "WINDOW_START"
        case windowPartition = "WINDOW_START@p"
        case deadLetterSource = "stage@topic/partition/offset"
    }

    /// `perPartition`: the count P common to every keyed topic, so a symbol keeps one partition number from
    /// `incoming_orders` on. `single`: one partition (one writer, or read whole by every instance).
    public enum Partitioning: Sendable { case perPartition, single }

    public enum Cleanup: String, Sendable { case delete, compact }

    public struct Topic: Sendable, Hashable {
        public let name: String
        public let key: Key
        public let partitioning: Partitioning
        public let cleanup: Cleanup
        public let writers: [Process]
        public let readers: [Process]

        init(_ name: String, _ key: Key, _ partitioning: Partitioning, _ cleanup: Cleanup = .delete, writers: [Process], readers: [Process]) {
            (self.name, self.key, self.partitioning, self.cleanup, self.writers, self.readers) = (name, key, partitioning, cleanup, writers, readers)
        }

        /// The topic's partition count when keyed topics have `partitions`.
        public func partitions(_ partitions: Int) -> Int { partitioning == .perPartition ? partitions : 1 }
    }

    private static let analyses: [Process] = [.sma, .profit, .top, .analytics]

    /// Written by anyone; the splitter forwards a record that is not in its symbol's partition there itself.
    public static let incomingOrders = Topic("incoming_orders", .symbol, .perPartition, writers: [.gateway, .clock, .load, .split], readers: [.split])
    public static let buyOrders = Topic("buy_orders", .symbol, .perPartition, writers: [.split], readers: [.match])
    public static let sellOrders = Topic("sell_orders", .symbol, .perPartition, writers: [.split], readers: [.match])
    public static let matchedTrades = Topic("matched_trades", .symbol, .perPartition, writers: [.match], readers: analyses + [.gateway, .history])
    /// The clock's ticks, forwarded by the matcher in one sequence with its trades.
    public static let matchedTradesTicks = Topic("matched_trades_ticks", .unkeyed, .perPartition, writers: [.match], readers: analyses)
    public static let executionReports = Topic("execution_reports", .symbol, .perPartition, writers: [.match], readers: [.gateway])
    public static let smaHoppingTable = Topic("SMA_HOPPING_TABLE", .symbolWindow, .perPartition, writers: [.sma, .analytics], readers: [.gateway, .history])
    public static let stockProfit = Topic("stock_profit", .symbolWindow, .perPartition, writers: [.profit, .analytics], readers: [.gateway, .history])
    /// Each partition's ranking of a closed window, for the single merger.
    public static let topProfitPartials = Topic("top_profit_partials", .windowPartition, .single, writers: [.top, .analytics], readers: [.top, .analytics])
    public static let topProfit = Topic("top_profit", .window, .single, writers: [.top, .analytics], readers: [.gateway, .history])
    /// Each instrument's current definition and status, written by `exchange instruments` (and once, when empty, by
    /// `exchange run` and `exchange broker`); the gateway's `InstrumentFollower` reads it. The matcher does not: it
    /// takes the same changes as `INSTRUMENT` records from `incoming_orders`, in sequence with the orders.
    public static let instruments = Topic("instruments", .symbol, .single, .compact, writers: [], readers: [])
    public static let deadLetters = Topic("dead_letters", .deadLetterSource, .single, writers: Process.stages, readers: [])

    /// The data topics (the stages' changelogs excepted).
    public static let data = [
        incomingOrders, buyOrders, sellOrders, matchedTrades, matchedTradesTicks, executionReports, smaHoppingTable,
        stockProfit, topProfitPartials, topProfit, instruments, deadLetters,
    ]

    /// The partition of a symbol in every keyed topic: Kafka's default partitioner for a record keyed by the symbol
    /// (murmur2 of its UTF-8 bytes, sign bit cleared, modulo the partition count), as Java clients, Kafka Streams,
    /// ksqlDB, kafka-python and librdkafka's `murmur2_random` (the exchange's producers) compute it. The splitter
    /// sequences each order in this partition, forwarding it there when a producer wrote it elsewhere.
    public static func partition(ofSymbol symbol: String, partitions: Int) -> Int32 {
        guard partitions > 1 else { return 0 }
        // Over the UTF-8 view without copying it: the splitter does this for every record.
        let m: UInt32 = 0x5bd1_e995
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: symbol.utf8.count)
        var word: UInt32 = 0
        var shift: UInt32 = 0
        for byte in symbol.utf8 {
            word |= UInt32(byte) << shift
            shift += 8
            if shift == 32 {
                var k = word &* m
                k ^= k >> 24
                k = k &* m
                h = (h &* m) ^ k
                word = 0
                shift = 0
            }
        }
        if shift > 0 {
            // The last 1–3 bytes, in the same little-endian places as Java's tail switch.
            h ^= word
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32((h & 0x7fff_ffff) % UInt32(partitions))
    }

    /// Where a stage snapshots its tasks' state and input positions; compacted, so only the latest snapshot stays.
    public static func changelog(of stage: String) -> String { "exchange-\(stage)-changelog" }

    /// Every topic: the data topics and one changelog per stateful stage.
    public static let topics = data + Process.stages.map {
        Topic(changelog(of: $0.rawValue), .task, .perPartition, .compact, writers: [$0], readers: [$0])
    }

    /// The JSON field names a topic's values can carry (the codec's `fieldNames`), for checks such as the ksqlDB
    /// column drift test; nil for a topic without a public record. `top_profit`'s `RANKING` elements are listed by
    /// `ProfitRankingEntry.fieldNames`.
    public static func fieldNames(of topic: String) -> [String]? {
        switch topic {
        case incomingOrders.name: IncomingOrder.fieldNames
        case buyOrders.name, sellOrders.name: SequencedOrder.fieldNames
        case matchedTrades.name: MatchedTrade.fieldNames
        case executionReports.name: ExecutionReport.fieldNames
        case smaHoppingTable.name: SimpleMovingAverage.fieldNames
        case stockProfit.name: StockProfit.fieldNames
        case topProfit.name: TopProfit.fieldNames
        case instruments.name: Instrument.fieldNames
        case deadLetters.name: DeadLetter.fieldNames
        default: nil
        }
    }
}
