import CRdKafka
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// An in-process Kafka cluster: librdkafka's mock cluster (`rdkafka_mock.h`), listening on loopback.
///
/// For development, demos and tests only. What it is and is not (librdkafka 2.0.2):
/// - In memory; each partition keeps about 5 MiB or 100,000 batches, then deletes its oldest data
///   (the start offset moves), so a consumer that falls that far behind loses its position
///   (use `autoOffsetReset = .error` to make that an error rather than a silent skip).
/// - Supports produce (incl. idempotent and transactional producers), fetch, consumer groups
///   with offset commits, metadata and topic auto-creation (4 partitions).
/// - Does NOT enforce transactions: Fetch reports no aborted transactions and the last stable
///   offset equals the high watermark, so `read_committed` consumers also see aborted and open
///   transactional records; offsets sent with `sendOffsetsToTransaction` are never applied to
///   the group. Does not support the CreateTopics admin request, so `KafkaAdmin.createTopics`
///   does not work on it: whoever runs the cluster creates the topics (`createTopics`; stages and
///   the gateway then find them and ask for none), topic configs (e.g. compaction), SASL or TLS.
/// - librdkafka marks the mock API experimental.
public final class EmbeddedKafka: @unchecked Sendable, Service {
    private let handle: OpaquePointer
    private let cluster: OpaquePointer
    private let stopped = Atomic(false)
    /// `host:port,...` of the brokers (loopback).
    public let bootstrapServers: String
    public let brokerCount: Int

    /// Starts a cluster of `brokers` brokers (ids 1...brokers).
    public init(brokers: Int = 1, logger: Logger = Logger(label: "kafka.embedded")) throws {
        guard brokers >= 1 else { throw KafkaError.invalid("brokers must be at least 1, got \(brokers)") }
        var config = KafkaConfiguration(bootstrapServers: "")
        config.properties = ["log_level": "3"]
        let context = ClientContext(logger: logger)
        let rk = try RDKafka.makeHandle(role: .admin, configuration: config, context: context)
        guard let mcluster = rd_kafka_mock_cluster_new(rk, Int32(brokers)) else {
            rd_kafka_destroy(rk)
            throw KafkaError(code: .state, message: "could not start the embedded Kafka cluster")
        }
        // The handle's opaque points at `context`; keep it alive as long as the handle.
        contextKeepAlive = context
        handle = rk
        cluster = mcluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mcluster))
        brokerCount = brokers
    }

    private let contextKeepAlive: ClientContext

    deinit { stop() }

    /// The client configuration preset for this cluster (`KafkaConfiguration.embedded`).
    public var configuration: KafkaConfiguration { .embedded(bootstrapServers: bootstrapServers) }

    /// Creates a topic; an existing topic is left as it is.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        try createTopics([KafkaTopicSpecification(name: name, partitions: partitions, replicationFactor: replicationFactor)])
    }

    /// Creates the topics that do not exist yet (existing ones are left as they are), as
    /// `KafkaAdmin.createTopics` does on a real cluster; nothing is created if a specification is
    /// invalid. Topic configs (e.g. compaction) are not applied: the mock has none. A replication
    /// factor below 1 (the broker's default) means 1.
    public func createTopics(_ topics: [KafkaTopicSpecification]) throws {
        for t in topics { try t.validate() }
        for t in topics {
            let err = rd_kafka_mock_topic_create(cluster, t.name, Int32(t.partitions), Int32(max(1, t.replicationFactor)))
            if err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            try err.check("create topic \(t.name)")
        }
    }

    /// Makes a broker unreachable (its connections are closed); leadership does not move.
    public func setBrokerDown(_ brokerId: Int32) throws {
        try rd_kafka_mock_broker_set_down(cluster, brokerId).check("broker \(brokerId) down")
    }

    public func setBrokerUp(_ brokerId: Int32) throws {
        try rd_kafka_mock_broker_set_up(cluster, brokerId).check("broker \(brokerId) up")
    }

    /// Adds round-trip latency to every request a broker answers.
    public func setRoundTripTime(broker brokerId: Int32, milliseconds: Int) throws {
        try rd_kafka_mock_broker_set_rtt(cluster, brokerId, Int32(milliseconds)).check("broker \(brokerId) rtt")
    }

    /// The next requests of `api` (to any broker) fail with `errors`, one per request, in order.
    /// `KafkaError.Code.transport` closes the connection instead of answering.
    public func pushRequestErrors(_ api: KafkaAPI, _ errors: [KafkaError.Code]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, buffer.count, buffer.baseAddress)
        }
    }

    /// Forgets pushed errors for `api`.
    public func clearRequestErrors(_ api: KafkaAPI) {
        rd_kafka_mock_clear_request_errors(cluster, api.rawValue)
    }

    /// Makes `brokerId` the leader of a partition.
    public func setPartitionLeader(_ partition: KafkaTopicPartition, brokerId: Int32) throws {
        try rd_kafka_mock_partition_set_leader(cluster, partition.topic, partition.partition, brokerId).check("leader of \(partition)")
    }

    /// Shuts the cluster down; clients still connected see their brokers disappear. Idempotent.
    public func stop() {
        guard stopped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    /// `Service`: keeps the cluster up until graceful shutdown (or cancellation), then stops it.
    public func run() async throws {
        try? await gracefulShutdown()
        stop()
    }
}

/// Kafka protocol request types, for fault injection.
public struct KafkaAPI: RawRepresentable, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let produce = KafkaAPI(rawValue: 0)
    public static let fetch = KafkaAPI(rawValue: 1)
    public static let listOffsets = KafkaAPI(rawValue: 2)
    public static let metadata = KafkaAPI(rawValue: 3)
    public static let offsetCommit = KafkaAPI(rawValue: 8)
    public static let offsetFetch = KafkaAPI(rawValue: 9)
    public static let findCoordinator = KafkaAPI(rawValue: 10)
    public static let joinGroup = KafkaAPI(rawValue: 11)
    public static let heartbeat = KafkaAPI(rawValue: 12)
    public static let leaveGroup = KafkaAPI(rawValue: 13)
    public static let syncGroup = KafkaAPI(rawValue: 14)
    public static let initProducerId = KafkaAPI(rawValue: 22)
    public static let addPartitionsToTxn = KafkaAPI(rawValue: 24)
    public static let addOffsetsToTxn = KafkaAPI(rawValue: 25)
    public static let endTxn = KafkaAPI(rawValue: 26)
    public static let txnOffsetCommit = KafkaAPI(rawValue: 28)
}
