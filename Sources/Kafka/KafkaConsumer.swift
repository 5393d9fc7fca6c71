import Foundation
import Logging
import ServiceLifecycle

/// Consumes records through librdkafka's high-level (group) consumer, or by manual assignment.
///
/// One dedicated thread calls `rd_kafka_consume_batch_queue` and also performs every seek,
/// pause, resume and (re)assignment, as librdkafka 2.0.x requires for its batch API; records
/// are handed out as `KafkaMessageBatch`es through `events`, an `AsyncSequence` that may be
/// iterated once. A small buffer (a few batches) sits between the thread and the iterator;
/// beyond that the thread waits, and librdkafka's own prefetch limits apply.
///
/// Offsets: with the presets (`enableAutoOffsetStore = false`), call
/// `storeOffsets(batch.nextOffsets)` after processing a batch; auto-commit then commits what was
/// stored (every `auto.commit.interval.ms` and on close). Or disable auto-commit and `commit(_:)`.
///
/// As a swift-service-lifecycle `Service`, `run()` waits for graceful shutdown, then closes:
/// stored offsets are committed and the consumer leaves its group, so the group rebalances at
/// once instead of after the session timeout.
public final class KafkaConsumer: Sendable, Service {
    let core: ConsumerCore

    /// Creates the consumer and waits up to `configuration.connectTimeoutMs` for a broker.
    /// Throws `KafkaError` for an unknown/invalid property or an unreachable cluster.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.consumer")) async throws {
        core = try ConsumerCore(configuration: configuration, logger: logger)
        let core = self.core
        try await RDKafka.verifyConnectivity(core.rk, configuration) {
            core.skipGroupClose = true
            core.closeAndWait()
        }
    }

    /// Closing waits for the group; never block the thread that drops the last reference.
    deinit {
        let core = self.core
        Blocking.detach { core.closeAndWait() }
    }

    /// Joins the consumer group (`groupId` required) for `topics`; rebalances arrive in `events`.
    public func subscribe(topics: [String]) throws {
        guard core.hasGroup else { throw KafkaError.invalid("subscribe needs a groupId in the configuration") }
        try core.subscribe(topics: topics)
    }

    /// Consumes exactly these partitions from these positions (no group rebalancing); an empty set stops
    /// consuming. Records of the previous assignment still buffered are dropped: the next batch starts at
    /// these positions.
    public func assign(_ positions: [KafkaTopicPartition: KafkaOffset]) async throws {
        let items = positions.sorted { $0.key < $1.key }.map { ($0.key, $0.value.rawValue) }
        try await core.assign(items)
    }

    /// The records, batches and rebalance events. Iterate once; ends after `close()`; throws
    /// when consumption cannot go on (`autoOffsetReset` for a position no longer in the log
    /// with `autoOffsetReset = .error`, a fatal error).
    public var events: Events { Events(consumer: self) }

    /// Makes a pending `next()` of the event iterator return an empty `.messages` batch at once (or,
    /// when none is pending, the next one that would have to wait), so a loop blocked waiting for
    /// records can attend to something else, such as a delivery that completed.
    public func wakeUpIterator() { core.wakeUpIterator() }

    /// Sets the positions of assigned partitions (or, right after `.partitionsAssigned`, where
    /// the new partitions start). Records of these partitions already buffered are dropped.
    public func seek(_ positions: [KafkaTopicPartition: KafkaOffset]) async throws {
        try await core.seek(positions)
    }

    /// Stops fetching these partitions (records already buffered may still be delivered).
    public func pause(_ partitions: [KafkaTopicPartition]) async throws {
        try await pauseOrResume(partitions, pause: true)
    }

    public func resume(_ partitions: [KafkaTopicPartition]) async throws {
        try await pauseOrResume(partitions, pause: false)
    }

    private func pauseOrResume(_ partitions: [KafkaTopicPartition], pause: Bool) async throws {
        try await core.pauseOrResume(partitions, pause: pause)
    }

    /// Marks offsets (the next offset to read, i.e. last processed + 1) for the next commit.
    public func storeOffsets(_ offsets: [KafkaTopicPartition: Int64]) throws {
        guard !offsets.isEmpty else { return }
        guard core.storesExplicitly else {
            throw KafkaError.invalid("storeOffsets needs enableAutoOffsetStore = false (librdkafka stores offsets itself otherwise)")
        }
        try core.storeOffsets(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// Commits `offsets` (next offset to read per partition), or all stored offsets when `nil`,
    /// and waits up to `timeout` for the coordinator's answer (then throws `.timedOut`).
    ///
    /// While the group rebalances, the embedded cluster answers commits with
    /// REBALANCE_IN_PROGRESS and librdkafka retries until the rebalance ends, which cannot
    /// happen while this member waits: there, do not commit synchronously around rebalances
    /// (on `.partitionsRevoked`); use `storeOffsets` + auto-commit or `commitAsync`.
    public func commit(_ offsets: [KafkaTopicPartition: Int64]? = nil, timeout: Duration = .seconds(10)) async throws {
        let core = self.core, ms = timeout.milliseconds
        let items = offsets?.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        try await Blocking.run { try core.commitAndWait(items, timeoutMs: ms) }
    }

    /// Starts a commit without waiting for the answer (failures are logged by librdkafka).
    public func commitAsync(_ offsets: [KafkaTopicPartition: Int64]? = nil) throws {
        let items = offsets?.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        try core.commitAsync(items)
    }

    /// The group's committed offsets (next offset to read); `nil` where nothing is committed.
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws -> [KafkaTopicPartition: Int64?] {
        let core = self.core, ms = timeout.milliseconds
        return try await Blocking.run { try core.committed(partitions, timeoutMs: ms) }
    }

    /// The next offset this consumer will hand out per partition (local, no broker call);
    /// `nil` where unknown (nothing consumed yet).
    public func position(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64?] {
        try core.position(partitions)
    }

    /// Asks the partition leader for the low (oldest) and high (next to be written) watermarks.
    public func queryWatermarks(_ partition: KafkaTopicPartition, timeout: Duration = .seconds(10)) async throws -> (low: Int64, high: Int64) {
        let core = self.core, ms = timeout.milliseconds
        return try await Blocking.run { try core.queryWatermarks(partition, timeoutMs: ms) }
    }

    /// The watermarks last seen in fetch responses (no broker call); `nil` if none yet.
    public func cachedWatermarks(_ partition: KafkaTopicPartition) -> (low: Int64, high: Int64)? {
        core.cachedWatermarks(partition)
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws -> [KafkaTopicPartition] {
        try core.assignment()
    }

    /// The group identity to pass to `KafkaProducer.sendOffsetsToTransaction`.
    public func groupMetadata() throws -> KafkaConsumerGroupMetadata {
        try core.groupMetadata()
    }

    /// Commits stored offsets (when offsets are stored explicitly), leaves the group and releases
    /// librdkafka. The event sequence then ends. Safe to call more than once.
    public func close() async {
        let core = self.core
        _ = try? await Blocking.run { core.closeAndWait() }
    }

    /// `Service`: waits for graceful shutdown (SIGTERM through a `ServiceGroup`), then closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// The consumer's events as an `AsyncSequence`; holds the consumer alive while iterated.
    public struct Events: AsyncSequence, Sendable {
        public typealias Element = KafkaConsumerEvent
        let consumer: KafkaConsumer

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: consumer) }

        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer
            public mutating func next() async throws -> KafkaConsumerEvent? {
                try await consumer.core.next()
            }
        }
    }
}
