/// Settings for Kafka clients (producer, consumer, admin), typed for the settings the exchange
/// uses, plus `properties`, a pass-through for any other librdkafka property (SASL/TLS for a
/// managed cluster, `debug`, ...). `nil` leaves librdkafka's default.
///
/// Start from a preset for the kind of broker:
/// - ``embedded(bootstrapServers:)`` for the in-process mock cluster (`EmbeddedKafka`, KafkaEmbedded): 1 ms
///   `fetch.wait.max.ms` (the mock answers an empty fetch only after that wait, even when data
///   arrives meanwhile), 1 ms `linger.ms` (0 floods it with one request per message), short
///   session timeout and max poll interval so rebalances finish within seconds.
/// - ``kafka(bootstrapServers:)`` for a real cluster: production defaults (acks=all,
///   idempotence, 5 ms linger, lz4 compression, 100 ms fetch wait).
///
/// A single configuration serves every client role; each client passes librdkafka only the typed
/// settings that apply to its role (producer settings to producers, consumer settings to
/// consumers). `properties` always passes through, and wins over the typed fields.
public struct KafkaConfiguration: Sendable {
    public enum Acks: String, Sendable { case none = "0", leader = "1", all = "all" }
    public enum Compression: String, Sendable { case none, gzip, snappy, lz4, zstd }
    public enum IsolationLevel: String, Sendable { case readUncommitted = "read_uncommitted", readCommitted = "read_committed" }
    /// Where a consumer starts when it has no committed offset or its position is no longer in the log.
    /// `.error` makes that situation an error (`KafkaError.Code.autoOffsetReset`) thrown from the
    /// consumer's event sequence: for resumed positions this is the only safe choice, since
    /// jumping ahead would silently skip records.
    public enum AutoOffsetReset: String, Sendable { case earliest, latest, error }
    public enum AssignmentStrategy: String, Sendable {
        /// Co-partitioned topics get the same partition numbers on the same member (the matcher needs this).
        case range
        case roundRobin = "roundrobin"
        case cooperativeSticky = "cooperative-sticky"
    }

    // MARK: Common
    /// Comma-separated `host:port` list.
    public var bootstrapServers: String
    public var clientId: String?
    /// How long client creation waits to reach a broker before throwing (`KafkaError.Code.transport`).
    /// `nil` skips the check (the client then retries in the background, forever).
    public var connectTimeoutMs: Int?

    // MARK: Producer
    public var acks: Acks?
    public var enableIdempotence: Bool?
    public var lingerMs: Double?
    public var batchNumMessages: Int?
    public var batchSize: Int?
    public var queueBufferingMaxMessages: Int?
    public var queueBufferingMaxKBytes: Int?
    public var compression: Compression?
    /// How long a message may wait for delivery before its delivery report fails with `_MSG_TIMED_OUT`.
    public var messageTimeoutMs: Int?
    /// Setting this makes the producer transactional; call `initTransactions()` first.
    public var transactionalId: String?
    public var transactionTimeoutMs: Int?

    // MARK: Consumer
    public var groupId: String?
    public var isolationLevel: IsolationLevel?
    public var autoOffsetReset: AutoOffsetReset?
    public var assignmentStrategy: AssignmentStrategy?
    public var enableAutoCommit: Bool?
    public var autoCommitIntervalMs: Int?
    /// `false` means offsets are stored only by `storeOffsets(_:)` (at-least-once processing).
    public var enableAutoOffsetStore: Bool?
    public var sessionTimeoutMs: Int?
    public var heartbeatIntervalMs: Int?
    public var maxPollIntervalMs: Int?
    public var fetchWaitMaxMs: Int?
    public var fetchMinBytes: Int?
    public var fetchMaxBytes: Int?
    /// librdkafka stops fetching while its local queue holds this many records, and then waits
    /// up to 1 s before it looks again (2.0.2 has no `fetch.queue.backoff.ms`). Partition queues
    /// forward into the consumer's queue, so the count is the whole consumer's, and librdkafka's
    /// default of 100,000 is 40 ms of records for a consumer taking 2.5 million a second: it then
    /// starved for the rest of the second. The presets allow 1,000,000 so the queue holds more
    /// than the back-off (memory stays bounded by `queued.max.messages.kbytes`, 64 MiB).
    public var queuedMinMessages: Int?
    /// Most messages handed out in one `KafkaMessageBatch` (one `rd_kafka_consume_batch_queue` call).
    public var consumerBatchSize: Int = 4096

    /// Any librdkafka property (`CONFIGURATION.md`), passed through verbatim to every client; wins
    /// over the typed fields. Unknown names make client creation throw.
    public var properties: [String: String] = [:]

    /// Only `bootstrapServers` set: librdkafka's own defaults for everything else.
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// Defaults for the in-process mock cluster (`EmbeddedKafka`, `exchange broker`).
    public static func embedded(bootstrapServers: String) -> KafkaConfiguration {
        var c = KafkaConfiguration(bootstrapServers: bootstrapServers)
        c.connectTimeoutMs = 5_000
        c.acks = .all
        c.enableIdempotence = true
        c.lingerMs = 1
        c.fetchWaitMaxMs = 1
        c.sessionTimeoutMs = 3_000
        c.heartbeatIntervalMs = 300
        c.maxPollIntervalMs = 10_000
        c.messageTimeoutMs = 30_000
        c.assignmentStrategy = .range
        c.enableAutoOffsetStore = false
        c.autoCommitIntervalMs = 1_000
        c.queuedMinMessages = 1_000_000
        c.properties["broker.address.family"] = "v4"
        return c
    }

    /// Production defaults for Apache Kafka (or any Kafka-protocol cluster).
    public static func kafka(bootstrapServers: String) -> KafkaConfiguration {
        var c = KafkaConfiguration(bootstrapServers: bootstrapServers)
        c.connectTimeoutMs = 15_000
        c.acks = .all
        c.enableIdempotence = true
        c.lingerMs = 5
        c.compression = .lz4
        c.fetchWaitMaxMs = 100
        c.sessionTimeoutMs = 10_000
        c.heartbeatIntervalMs = 1_000
        c.maxPollIntervalMs = 300_000
        c.assignmentStrategy = .range
        c.enableAutoOffsetStore = false
        c.queuedMinMessages = 1_000_000
        return c
    }

    /// Which kind of librdkafka handle the properties are for.
    public enum Role: Sendable { case producer, consumer, admin }

    /// The librdkafka properties a client of `role` is created with, in order (later wins).
    public func librdkafkaProperties(for role: Role) -> [(String, String)] {
        var p: [(String, String)] = [("bootstrap.servers", bootstrapServers)]
        func add(_ key: String, _ value: (some CustomStringConvertible)?) {
            if let value { p.append((key, value.description)) }
        }
        add("client.id", clientId)
        switch role {
        case .producer:
            add("acks", acks?.rawValue)
            add("enable.idempotence", enableIdempotence)
            add("linger.ms", lingerMs)
            add("batch.num.messages", batchNumMessages)
            add("batch.size", batchSize)
            add("queue.buffering.max.messages", queueBufferingMaxMessages)
            add("queue.buffering.max.kbytes", queueBufferingMaxKBytes)
            add("compression.codec", compression?.rawValue)
            add("message.timeout.ms", messageTimeoutMs)
            add("transactional.id", transactionalId)
            add("transaction.timeout.ms", transactionTimeoutMs)
        case .consumer:
            add("group.id", groupId)
            add("isolation.level", isolationLevel?.rawValue)
            add("auto.offset.reset", autoOffsetReset?.rawValue)
            add("partition.assignment.strategy", assignmentStrategy?.rawValue)
            add("enable.auto.commit", enableAutoCommit)
            add("auto.commit.interval.ms", autoCommitIntervalMs)
            add("enable.auto.offset.store", enableAutoOffsetStore)
            add("session.timeout.ms", sessionTimeoutMs)
            add("heartbeat.interval.ms", heartbeatIntervalMs)
            add("max.poll.interval.ms", maxPollIntervalMs)
            add("fetch.wait.max.ms", fetchWaitMaxMs)
            add("fetch.min.bytes", fetchMinBytes)
            add("fetch.max.bytes", fetchMaxBytes)
            add("queued.min.messages", queuedMinMessages)
            p.append(("enable.partition.eof", "false"))
        case .admin:
            break
        }
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) { p.append((key, value)) }
        return p
    }
}
