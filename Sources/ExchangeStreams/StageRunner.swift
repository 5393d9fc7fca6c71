import Foundation
import Logging

/// Runs one instance of a stage: consume → apply to per-partition tasks → produce → snapshot.
///
/// The guarantee (DESIGN.md §3): a task's snapshot is written only after every output the task produced up to the
/// snapshot's positions is acknowledged, and a task always restarts from its latest snapshot at exactly the recorded
/// positions. So a crash at any point loses nothing, and whatever it makes the stage write twice is byte-identical.
public final class StageRunner {
    public struct Options: Sendable {
        /// How often dirty tasks are snapshotted. Wall-clock time only schedules snapshots; it never enters outputs.
        public var snapshotIntervalMilliseconds: Int
        /// Longest wait for input in one poll.
        public var pollMilliseconds: Int
        /// Identifies this instance's snapshot chunks in the changelog.
        public var writerID: String
        /// Fail when a partition's next record is not at the expected offset (off with transactions: commit markers
        /// occupy offsets).
        public var checkOffsetGaps: Bool

        public init(
            snapshotIntervalMilliseconds: Int = 500, pollMilliseconds: Int = 50,
            writerID: String = String(UInt32.random(in: 0...UInt32.max), radix: 36), checkOffsetGaps: Bool = true
        ) {
            self.snapshotIntervalMilliseconds = snapshotIntervalMilliseconds
            self.pollMilliseconds = pollMilliseconds
            self.writerID = writerID
            self.checkOffsetGaps = checkOffsetGaps
        }
    }

    private final class TaskSlot {
        let kind: TaskKind
        let partition: Int32
        let key: String
        let task: any StageTask
        var version: Int64
        var previous: SnapshotChangelog.ChunkSet?
        var dirty = false

        init(kind: TaskKind, partition: Int32, key: String, task: any StageTask, version: Int64,
             previous: SnapshotChangelog.ChunkSet?) {
            self.kind = kind
            self.partition = partition
            self.key = key
            self.task = task
            self.version = version
            self.previous = previous
        }
    }

    private let definition: any StageDefinition
    private let consumer: any StageConsumer
    private let producer: any StageProducer
    private let changelog: any ChangelogSource
    private let options: Options
    private let metrics: StageMetrics
    private let progress: StageProgress?
    private var logger: Logger

    private var assigned: Set<TopicPartition> = []
    private var slots: [String: TaskSlot] = [:]
    private var slotByInput: [TopicPartition: TaskSlot] = [:]
    private var expectedOffset: [TopicPartition: Int64] = [:]
    private var pending: [OutputRecord] = []
    private var lastSnapshot = ContinuousClock.now

    public init(
        definition: any StageDefinition, consumer: any StageConsumer, producer: any StageProducer,
        changelog: any ChangelogSource, options: Options = Options(), progress: StageProgress? = nil,
        logger: Logger = Logger(label: "exchange.stage")
    ) {
        self.definition = definition
        self.consumer = consumer
        self.producer = producer
        self.changelog = changelog
        self.options = options
        self.metrics = StageMetrics(stage: definition.name)
        self.progress = progress
        self.logger = logger
        self.logger[metadataKey: "stage"] = "\(definition.name)"
    }

    /// Runs until the surrounding task is cancelled (then returns without a final snapshot — exactly like a crash,
    /// which the design tolerates) or a stage error occurs.
    public func run() async throws {
        try await consumer.subscribe(definition.inputTopics)
        while !Task.isCancelled {
            let events = try await consumer.poll(maxWaitMilliseconds: options.pollMilliseconds)
            for event in events {
                switch event {
                case .assigned(let partitions):
                    assigned.formUnion(partitions)
                    try await startReadyTasks()
                case .revoked(let partitions):
                    assigned.subtract(partitions)
                    dropTasksMissingInputs()
                case .records(let records):
                    try apply(records)
                }
            }
            if !pending.isEmpty {
                let batch = pending
                pending.removeAll(keepingCapacity: true)
                try await producer.send(batch)
                metrics.recordsOut.increment(by: batch.count)
            }
            if ContinuousClock.now - lastSnapshot >= .milliseconds(options.snapshotIntervalMilliseconds) {
                try await snapshotDirtyTasks()
            }
        }
    }

    /// Snapshots every task now (after flushing), e.g. before a graceful stop.
    public func snapshotNow() async throws {
        if !pending.isEmpty {
            let batch = pending
            pending.removeAll()
            try await producer.send(batch)
        }
        try await snapshotDirtyTasks()
    }

    private func apply(_ records: [InputRecord]) throws {
        var applied = 0
        for record in records {
            let partition = record.topicPartition
            guard let slot = slotByInput[partition] else { continue }  // revoked meanwhile, or not started yet
            if let expected = expectedOffset[partition] {
                if record.offset < expected { continue }  // fetched before the seek took effect
                if record.offset > expected && options.checkOffsetGaps {
                    throw StageError(
                        "\(definition.name): \(partition) jumped from offset \(expected) to \(record.offset): records "
                            + "are missing from the log (retention deleted them before they were read?); refusing to skip")
                }
            }
            expectedOffset[partition] = record.offset + 1
            try slot.task.apply(record, into: &pending)
            slot.dirty = true
            applied += 1
        }
        if applied > 0 {
            metrics.recordsIn.increment(by: applied)
            progress?.add(applied)
        }
    }

    private func startReadyTasks() async throws {
        let partitions = Set(assigned.map(\.partition))
        var positions: [TopicPartition: Int64?] = [:]
        for kind in definition.kinds {
            for partition in partitions.sorted() {
                let key = "\(definition.name)/\(kind.name)/\(partition)"
                guard slots[key] == nil,
                    kind.inputs.allSatisfy({ assigned.contains(TopicPartition($0, partition)) })
                else { continue }
                let changelogPartition = TopicPartition(definition.changelogTopic, partition)
                let records = try await changelog.readAll(changelogPartition)
                let restored = try SnapshotChangelog.latest(task: key, in: records)
                let task = try definition.makeTask(kind: kind, partition: partition, snapshot: restored?.0)
                let slot = TaskSlot(
                    kind: kind, partition: partition, key: key, task: task, version: restored?.0.version ?? 0,
                    previous: restored?.1)
                if restored != nil { metrics.restores.increment() }
                logger.info(
                    "task \(key) starts",
                    metadata: [
                        "snapshot": "\(restored.map { "v\($0.0.version)" } ?? "none")",
                        "positions": "\(task.positions)",
                    ])
                slots[key] = slot
                progress?.taskStarted()
                for topic in kind.inputs {
                    let input = TopicPartition(topic, partition)
                    slotByInput[input] = slot
                    let position = task.positions[topic]
                    positions[input] = position
                    if let position { expectedOffset[input] = position } else { expectedOffset[input] = nil }
                }
            }
        }
        if !positions.isEmpty { try await consumer.read(from: positions) }
    }

    private func dropTasksMissingInputs() {
        for (key, slot) in slots where !slot.kind.inputs.allSatisfy({ assigned.contains(TopicPartition($0, slot.partition)) }) {
            logger.info("task \(key) revoked")
            slots[key] = nil
            for topic in slot.kind.inputs {
                slotByInput[TopicPartition(topic, slot.partition)] = nil
                expectedOffset[TopicPartition(topic, slot.partition)] = nil
            }
        }
    }

    private func snapshotDirtyTasks() async throws {
        lastSnapshot = ContinuousClock.now
        let dirty = slots.values.filter(\.dirty).sorted { $0.key < $1.key }
        guard !dirty.isEmpty else { return }
        // 1. Capture state and positions now, before anything else is applied.
        var captured: [(TaskSlot, StageSnapshot)] = []
        for slot in dirty {
            let snapshot = StageSnapshot(
                task: slot.key, version: slot.version + 1, positions: slot.task.positions, marks: slot.task.marks,
                state: try slot.task.stateBytes())
            captured.append((slot, snapshot))
            slot.dirty = false
        }
        // 2. Everything produced so far (which includes every output up to those positions) must be acknowledged.
        try await producer.flush()
        // 3. Chunks, then (once acknowledged) manifests and the retirement of older chunks.
        var chunks: [OutputRecord] = []
        var manifests: [OutputRecord] = []
        var written: [SnapshotChangelog.ChunkSet] = []
        for (slot, snapshot) in captured {
            let records = try SnapshotChangelog.records(
                for: snapshot, writer: options.writerID, topic: definition.changelogTopic, partition: slot.partition)
            chunks += records.chunks
            manifests.append(records.manifest)
            written.append(.init(version: snapshot.version, writer: options.writerID, chunks: records.chunks.count))
        }
        try await producer.send(chunks)
        try await producer.flush()
        var retire: [OutputRecord] = []
        for ((slot, snapshot), chunkSet) in zip(captured, written) {
            if let previous = slot.previous {
                retire += SnapshotChangelog.tombstones(
                    task: slot.key, version: previous.version, writer: previous.writer, chunks: previous.chunks,
                    topic: definition.changelogTopic, partition: slot.partition)
            }
            slot.version = snapshot.version
            slot.previous = chunkSet
        }
        try await producer.send(manifests + retire)
        try await producer.flush()
        metrics.snapshots.increment(by: captured.count)
        // 4. Group offsets, for monitoring only.
        var offsets: [TopicPartition: Int64] = [:]
        for (slot, snapshot) in captured {
            for topic in slot.kind.inputs {
                if let position = snapshot.positions[topic] { offsets[TopicPartition(topic, slot.partition)] = position }
            }
        }
        if !offsets.isEmpty {
            do { try await consumer.commit(offsets) } catch {
                logger.debug("offset commit (monitoring only) failed: \(error)")
            }
        }
    }
}

/// A thread-safe count of records a stage instance applied: the in-process lag guard of the demo generator and
/// the benchmark reads it.
public final class StageProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var started = 0

    public init() {}

    /// Tasks (partitions) this instance has started, counting restarts after rebalances.
    public var tasksStarted: Int {
        lock.lock()
        defer { lock.unlock() }
        return started
    }

    func taskStarted() {
        lock.lock()
        started += 1
        lock.unlock()
    }

    public func add(_ n: Int) {
        lock.lock()
        count += n
        lock.unlock()
    }

    public var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
