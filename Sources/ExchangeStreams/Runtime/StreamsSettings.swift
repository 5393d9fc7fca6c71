import Kafka

/// How stages connect and behave: the broker kind's client defaults (docs/guarantees.md, "Embedded broker vs real
/// Kafka"; the profiles in docs/operations.md, "Configuration") plus the stage options. Everything here can be
/// overridden from the command line.
public struct StreamsSettings: Sendable {
    public enum BrokerKind: Sendable { case embedded, kafka }
    /// Latency: small batches, short linger and fetch waits. Throughput: bigger batches. Busy-poll: the lowest
    /// latency, paid for with CPU even while idle (consumers never let the broker hold a fetch).
    public enum Profile: String, Sendable, CaseIterable {
        case latency, throughput
        case busyPoll = "busy-poll"
    }

    public var brokerKind: BrokerKind
    /// Client settings shared by every stage's consumer and producer (group id etc. are set per stage).
    public var kafka: KafkaConfiguration
    /// Partitions of incoming_orders, buy_orders, sell_orders and every per-partition topic downstream.
    public var partitions: Int
    public var snapshotIntervalMilliseconds: Int
    /// Transactional mode (docs/guarantees.md, "Transactional mode"; its effect needs a real Kafka cluster): each
    /// snapshot interval's outputs, the snapshot and the input offsets commit atomically, and every stage reads
    /// `read_committed`. Correctness does not depend on it (the snapshots and dedupe give exactly-once effect either
    /// way); it spares external readers the byte-identical duplicates a crash can otherwise leave in the output topics.
    public var transactional = false

    /// Consumer settings: `kafka`, plus `read_committed` in transactional mode.
    public var consumerConfiguration: KafkaConfiguration {
        var configuration = kafka
        if transactional { configuration.isolationLevel = .readCommitted }
        return configuration
    }

    /// Producer settings: `kafka` plus the Java-compatible partitioner (so ksqlDB/Java clients and ours agree on
    /// which partition a symbol lives in).
    public var producerConfiguration: KafkaConfiguration {
        var configuration = kafka
        if configuration.properties["partitioner"] == nil { configuration.properties["partitioner"] = "murmur2_random" }
        return configuration
    }

    /// The embedded cluster is one broker thread in this process, and it pays for every partition on every fetch
    /// (it finds a fetch offset by walking the partition's batches), so fewer partitions are faster there:
    /// exchange-bench pipeline gave 74-78k orders/s with 1 or 2 partitions against 70k with 4, and order-to-trade
    /// p50 6.6-6.8 ms with 1 or 2 against 13 ms with 4. Two still let a second instance of a stage take a share.
    public static func defaultPartitions(_ brokerKind: BrokerKind) -> Int {
        brokerKind == .embedded ? 2 : 4
    }

    public init(
        brokerKind: BrokerKind, bootstrapServers: String, partitions: Int? = nil, profile: Profile = .latency,
        overrides: [String: String] = [:]
    ) {
        let partitions = partitions ?? Self.defaultPartitions(brokerKind)
        self.brokerKind = brokerKind
        var kafka: KafkaConfiguration
        switch brokerKind {
        case .embedded:
            kafka = .embedded(bootstrapServers: bootstrapServers)
            snapshotIntervalMilliseconds = 500
        case .kafka:
            kafka = .kafka(bootstrapServers: bootstrapServers)
            snapshotIntervalMilliseconds = 1_000
        }
        kafka.enableIdempotence = true
        kafka.acks = .all
        kafka.assignmentStrategy = .range
        kafka.enableAutoCommit = false
        kafka.autoOffsetReset = .error
        switch (profile, brokerKind) {
        case (.throughput, _):
            kafka.lingerMs = 5
            kafka.batchNumMessages = 10_000
        case (.latency, .embedded) where partitions <= 2:
            // 1 ms fetch waits and 1 ms linger, the best for one hop alone, are affordable with few partitions:
            // order-to-trade p50 6.6 ms, p99 9.9-10.4 ms at 10,000 orders/s against p50 12 ms, p99 17 ms with
            // 3 ms / 2 ms (exchange-bench pipeline --latency-only, 2 partitions).
            kafka.fetchWaitMaxMs = 1
            kafka.lingerMs = 1
        case (.latency, .embedded):
            // Every stage's clients share one process and the in-process broker's single thread, whose work grows
            // with partitions × fetches. With 4 partitions, 1 ms fetch waits and 1 ms linger took ~1.3 of this
            // machine's 2 cores at 10,000 orders/s and gave p99 62 ms; 3 ms / 2 ms gave p99 21 ms.
            kafka.fetchWaitMaxMs = 3
            kafka.lingerMs = 2
        case (.latency, .kafka):
            break
        case (.busyPoll, _):
            // A broker holds a fetch that finds nothing for fetch.wait.max.ms, and the embedded one answers it only
            // then even if data arrives meanwhile: on average half a wait per hop. With 0 every consumer asks again
            // at once, as trading systems spin instead of sleeping. exchange-bench pipeline (2 partitions, 10,000
            // orders/s): order-to-trade p50 4.4-4.6 ms, p99 7.2-9.6 ms against 6.6-7.0 ms and 10.0-10.8 ms with 1 ms
            // waits, for 1.7 cores instead of 1.1; an idle `exchange run` keeps 1.66 cores busy instead of 0.19.
            kafka.fetchWaitMaxMs = 0
            kafka.lingerMs = 1
        }
        for (key, value) in overrides { kafka.properties[key] = value }
        self.kafka = kafka
        self.partitions = partitions
    }
}
