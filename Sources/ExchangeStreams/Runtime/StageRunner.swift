import Foundation
import Logging
import Synchronization

/// Runs one instance of a stage: consume → apply to per-partition tasks → produce → snapshot.
///
/// The guarantee (docs/guarantees.md, "Exactly-once in effect"): a task's snapshot is written only after every output
/// the task produced up to the snapshot's positions is acknowledged, and a task always restarts from its latest snapshot
/// at exactly the recorded positions. So a crash at any point loses nothing, and whatever it makes the stage write twice
/// is byte-identical.
public final class StageRunner {
    public struct Options: Sendable {
        /// How often dirty tasks are snapshotted. Wall-clock time only schedules snapshots; it never enters outputs.
        public var snapshotIntervalMilliseconds: Int
        /// Longest wait for input in one poll.
        public var pollMilliseconds: Int
        /// Identifies this instance's snapshot chunks in the changelog.
        public var writerId: String
        /// Fail when a partition's next record is not at the expected offset (off with transactions: commit markers
        /// occupy offsets).
        public var checkOffsetGaps: Bool

        public init(
            snapshotIntervalMilliseconds: Int = 500, pollMilliseconds: Int = 50,
            writerId: String = String(UInt32.random(in: 0...UInt32.max), radix: 36), checkOffsetGaps: Bool = true
        ) {
            self.snapshotIntervalMilliseconds = snapshotIntervalMilliseconds
            self.pollMilliseconds = pollMilliseconds
            self.writerId = writerId
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
        /// Per input topic, the offset of the next record this task takes; nil until known (a fresh task reads
        /// from the beginning). Tasks sharing an input each keep their own: they may restore different snapshots.
        var expectedOffset: [String: Int64] = [:]

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
    /// Writes snapshot chunks and manifests. A client of its own outside transactions, so a snapshot of hundreds of
    /// kilobytes does not queue in front of the outputs that follow it (a 50 ms stall of the matcher's trades on the
    /// embedded broker); the same producer as the outputs in transactional mode, where they commit together.
    private let snapshotProducer: any StageProducer
    private let changelog: any ChangelogSource
    private let transactions: (any StageTransactions)?
    private var inTransaction = false
    private let options: Options
    private let metrics: StageMetrics
    private let progress: StageProgress?
    private var logger: Logger

    private var assigned: Set<TopicPartition> = []
    private var slots: [String: TaskSlot] = [:]
    /// The tasks that read each input partition, in task-key order (so their outputs interleave deterministically).
    private var slotsByInput: [TopicPartition: [TaskSlot]] = [:]
    private var pending: [OutputRecord] = []
    private var lastSnapshot = ContinuousClock.now
    private var snapshotInFlight: SnapshotInFlight?

    /// A snapshot being written while the stage goes on working. Each phase starts when the broker has acknowledged
    /// everything sent before it: the outputs the snapshot covers, then its chunks, then its manifests.
    private struct SnapshotInFlight {
        enum Phase { case encoding, outputs, chunks, manifests }
        var phase: Phase
        /// While encoding and then `.outputs`: the outputs the snapshot covers; then the last records it sent.
        var mark: OutputMark
        /// Only its input offsets until encoded.
        var snapshot: PreparedSnapshot
        let encoding: SnapshotEncoding
        /// The tasks it stores, in the order of the encoding's chunk sets.
        let slots: [TaskSlot]
    }

    /// The producer whose acknowledgements end `phase`: the outputs' own, then the snapshot writer's.
    private func producer(awaitedIn phase: SnapshotInFlight.Phase) -> any StageProducer {
        phase == .outputs ? producer : snapshotProducer
    }

    public init(
        definition: any StageDefinition, consumer: any StageConsumer, producer: any StageProducer,
        snapshotProducer: (any StageProducer)? = nil, changelog: any ChangelogSource,
        transactions: (any StageTransactions)? = nil, options: Options = Options(), progress: StageProgress? = nil,
        logger: Logger = Logger(label: "exchange.stage")
    ) {
        precondition(transactions == nil || snapshotProducer == nil, "transactional snapshots go with the outputs")
        self.transactions = transactions
        self.definition = definition
        self.consumer = consumer
        self.producer = producer
        self.snapshotProducer = snapshotProducer ?? producer
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
                try beginTransactionIfNeeded()
                try await producer.send(batch)
                metrics.recordsOut.increment(by: batch.count)
            }
            if transactions != nil {
                if ContinuousClock.now - lastSnapshot >= .milliseconds(options.snapshotIntervalMilliseconds) {
                    try await commitTransaction()
                }
                continue
            }
            try await advanceSnapshot()
            if snapshotInFlight == nil,
                ContinuousClock.now - lastSnapshot >= .milliseconds(options.snapshotIntervalMilliseconds)
            {
                try captureSnapshot()
                try await advanceSnapshot()
            }
        }
    }

    private func apply(_ records: [InputRecord]) throws {
        var applied = 0
        for record in records {
            let partition = record.topicPartition
            guard let readers = slotsByInput[partition] else { continue }  // revoked meanwhile, or not started yet
            var used = false
            for slot in readers {
                if let expected = slot.expectedOffset[record.topic] {
                    // Before the seek took effect, or below this task's position when another task on the same
                    // input restored an older snapshot.
                    if record.offset < expected { continue }
                    if record.offset > expected && options.checkOffsetGaps {
                        throw StageError(
                            "\(definition.name): \(partition) jumped from offset \(expected) to \(record.offset): records "
                                + "are missing from the log (retention deleted them before they were read?); refusing to skip")
                    }
                }
                slot.expectedOffset[record.topic] = record.offset + 1
                try slot.task.apply(record, into: &pending)
                slot.dirty = true
                used = true
            }
            if used { applied += 1 }
        }
        if applied > 0 {
            metrics.recordsIn.increment(by: applied)
            progress?.add(applied)
        }
    }

    private func startReadyTasks() async throws {
        let partitions = Set(assigned.map(\.partition))
        var started: [TaskSlot] = []
        var changelogs: [TopicPartition: [InputRecord]] = [:]
        for kind in definition.kinds {
            for partition in partitions.sorted() {
                let key = "\(definition.name)/\(kind.name)/\(partition)"
                guard slots[key] == nil,
                    kind.inputs.allSatisfy({ assigned.contains(TopicPartition($0, partition)) })
                else { continue }
                let changelogPartition = TopicPartition(definition.changelogTopic, partition)
                let records: [InputRecord]
                if let read = changelogs[changelogPartition] {
                    records = read
                } else {
                    records = try await changelog.readAll(changelogPartition)
                    changelogs[changelogPartition] = records
                }
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
                    slotsByInput[input, default: []].append(slot)
                    slotsByInput[input]?.sort { $0.key < $1.key }
                    slot.expectedOffset[topic] = task.positions[topic]
                }
                started.append(slot)
            }
        }
        guard !started.isEmpty else { return }
        // Each input the new tasks read is read again from the lowest position any task on it needs (nil: the
        // beginning); tasks further on skip what they have already applied.
        var positions: [TopicPartition: Int64?] = [:]
        for input in Set(started.flatMap { slot in slot.kind.inputs.map { TopicPartition($0, slot.partition) } }) {
            positions[input] = lowestPosition(input)
        }
        try await consumer.read(from: positions)
    }

    /// Where `input` must be read from for every task on it to get what it needs; nil when a task reads it from the
    /// beginning (or none reads it).
    private func lowestPosition(_ input: TopicPartition) -> Int64? {
        var lowest: Int64?
        for slot in slotsByInput[input] ?? [] {
            guard let position = slot.expectedOffset[input.topic] else { return nil }
            lowest = min(lowest ?? position, position)
        }
        return lowest
    }

    private func dropTasksMissingInputs() {
        for (key, slot) in slots where !slot.kind.inputs.allSatisfy({ assigned.contains(TopicPartition($0, slot.partition)) }) {
            logger.info("task \(key) revoked")
            slots[key] = nil
            for topic in slot.kind.inputs {
                let input = TopicPartition(topic, slot.partition)
                slotsByInput[input]?.removeAll { $0 === slot }
                if slotsByInput[input]?.isEmpty == true { slotsByInput[input] = nil }
            }
        }
    }

    /// The records that store every dirty task's state and positions as of now.
    private struct PreparedSnapshot: Sendable {
        var chunks: [OutputRecord] = []
        /// Manifests, then the tombstones retiring the chunks of the versions they replace.
        var manifests: [OutputRecord] = []
        var offsets: [TopicPartition: Int64] = [:]
        var tasks = 0
    }

    /// One dirty task's part of a snapshot, taken on the stage's loop; its state is encoded when `state` runs.
    private struct SnapshotJob: Sendable {
        let task: String
        let partition: Int32
        let version: Int64
        let positions: [String: Int64]
        let marks: [String: Int64]
        let state: @Sendable () throws -> [UInt8]
        /// The chunks of the task's last written snapshot, retired once this one is in place.
        let previous: SnapshotChangelog.ChunkSet?
    }

    /// Takes every dirty task's positions and state as of now (cheap: encoding is left to the jobs).
    private func takeSnapshotJobs() throws -> (jobs: [SnapshotJob], slots: [TaskSlot], offsets: [TopicPartition: Int64]) {
        lastSnapshot = ContinuousClock.now
        updateLag()
        var jobs: [SnapshotJob] = []
        var taken: [TaskSlot] = []
        var offsets: [TopicPartition: Int64] = [:]
        for slot in slots.values.filter(\.dirty).sorted(by: { $0.key < $1.key }) {
            let positions = slot.task.positions
            jobs.append(
                SnapshotJob(
                    task: slot.key, partition: slot.partition, version: slot.version + 1, positions: positions,
                    marks: slot.task.marks, state: try slot.task.captureState(), previous: slot.previous))
            slot.dirty = false
            slot.version += 1
            for topic in slot.kind.inputs {
                if let position = positions[topic] { offsets[TopicPartition(topic, slot.partition)] = position }
            }
            taken.append(slot)
        }
        return (jobs, taken, offsets)
    }

    /// Encodes snapshot jobs into changelog records; also returns where each job's chunks are.
    private static func encode(
        _ jobs: [SnapshotJob], writer: String, topic: String
    ) throws -> (PreparedSnapshot, [SnapshotChangelog.ChunkSet]) {
        var prepared = PreparedSnapshot()
        var written: [SnapshotChangelog.ChunkSet] = []
        var retire: [OutputRecord] = []
        for job in jobs {
            let snapshot = StageSnapshot(
                task: job.task, version: job.version, positions: job.positions, marks: job.marks, state: try job.state())
            let records = try SnapshotChangelog.records(for: snapshot, writer: writer, topic: topic, partition: job.partition)
            prepared.chunks += records.chunks
            prepared.manifests.append(records.manifest)
            if let previous = job.previous {
                retire += SnapshotChangelog.tombstones(
                    task: job.task, version: previous.version, writer: previous.writer, chunks: previous.chunks,
                    topic: topic, partition: job.partition)
            }
            written.append(.init(version: job.version, writer: writer, chunks: records.chunks.count))
            prepared.tasks += 1
        }
        prepared.manifests += retire
        return (prepared, written)
    }

    /// Takes and encodes a snapshot on the stage's loop (transactional mode, where it joins the open transaction).
    private func prepareSnapshot() throws -> PreparedSnapshot {
        let taken = try takeSnapshotJobs()
        let encoded = try Self.encode(taken.jobs, writer: options.writerId, topic: definition.changelogTopic)
        return adopt(encoded, slots: taken.slots, offsets: taken.offsets)
    }

    /// The encoded snapshot with its input offsets; each task now remembers its new chunks, to retire them later.
    private func adopt(
        _ encoded: (PreparedSnapshot, [SnapshotChangelog.ChunkSet]), slots: [TaskSlot], offsets: [TopicPartition: Int64]
    ) -> PreparedSnapshot {
        var (prepared, written) = encoded
        for (slot, chunks) in zip(slots, written) { slot.previous = chunks }
        prepared.offsets = offsets
        return prepared
    }

    /// Takes every dirty task's state and positions now and encodes them on a thread of its own; nothing is written
    /// until they are encoded and the outputs up to these positions are acknowledged (`advanceSnapshot`), and the
    /// stage keeps working meanwhile.
    private func captureSnapshot() throws {
        let taken = try takeSnapshotJobs()
        guard !taken.jobs.isEmpty else { return }
        let encoding = SnapshotEncoding()
        let jobs = taken.jobs
        let writer = options.writerId
        let topic = definition.changelogTopic
        let wakeUp = consumer.wakeUp
        // A thread, not a task: encoding a megabyte would hold one of the few threads every stage's tasks share.
        let thread = Thread {
            SnapshotEncoding.lowerThreadPriority()
            encoding.finish(Result { try StageRunner.encode(jobs, writer: writer, topic: topic) })
            wakeUp()
        }
        thread.name = "snapshot-encoder"
        thread.start()
        snapshotInFlight = SnapshotInFlight(
            phase: .encoding, mark: producer.mark(), snapshot: PreparedSnapshot(offsets: taken.offsets), encoding: encoding,
            slots: taken.slots)
    }

    /// Records not yet read from the assigned inputs (from the fetcher's cached log ends; no broker request).
    private func updateLag() {
        var next: [TopicPartition: Int64] = [:]
        for input in slotsByInput.keys {
            if let lowest = lowestPosition(input) { next[input] = lowest }
        }
        guard !next.isEmpty else { return }
        var lag: Int64 = 0
        for (partition, end) in consumer.cachedEndOffsets(Array(next.keys)) {
            if let position = next[partition] { lag += max(0, end - position) }
        }
        metrics.lag.record(lag)
    }

    private func beginTransactionIfNeeded() throws {
        guard let transactions, !inTransaction else { return }
        try transactions.begin()
        inTransaction = true
    }

    /// Transactional mode: the snapshot joins the open transaction with the outputs it covers, and the input
    /// offsets commit with them. A failed commit aborts; the stage then restarts from its last committed snapshot.
    private func commitTransaction() async throws {
        guard let transactions else { return }
        let prepared = try prepareSnapshot()
        guard prepared.tasks > 0 || inTransaction else { return }
        do {
            try beginTransactionIfNeeded()
            try await producer.send(prepared.chunks)
            try await producer.send(prepared.manifests)
            try await transactions.commit(offsets: prepared.offsets)
            inTransaction = false
        } catch {
            await transactions.abort()
            inTransaction = false
            metrics.transactionAborts.increment()
            throw error
        }
        metrics.transactionCommits.increment()
        metrics.snapshots.increment(by: prepared.tasks)
    }

    /// The result of a snapshot encoded on another thread, and who waits for it.
    private final class SnapshotEncoding: Sendable {
        typealias Encoded = Result<(PreparedSnapshot, [SnapshotChangelog.ChunkSet]), Error>
        private let state = Mutex<(result: Encoded?, waiters: [CheckedContinuation<Void, Never>])>((nil, []))

        var result: Encoded? { state.withLock { $0.result } }

        func finish(_ result: Encoded) {
            let waiters = state.withLock { state in
                state.result = result
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }

        func waitUntilFinished() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state in
                    if state.result == nil { state.waiters.append(continuation) }
                    return state.result != nil
                }
                if done { continuation.resume() }
            }
        }

        /// Encoding is background work: below the stages' threads and librdkafka's, so it takes idle CPU first.
        /// (On Linux the nice value belongs to the calling thread.)
        static func lowerThreadPriority() {
            #if canImport(Glibc)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
        }
    }

    /// Moves the snapshot in flight on as far as its encoding and acknowledgements allow, without waiting.
    private func advanceSnapshot() async throws {
        while var inFlight = snapshotInFlight {
            if inFlight.phase == .encoding {
                // Not encoded yet: the encoder wakes the poll when it is done.
                guard let result = inFlight.encoding.result else { return }
                inFlight.snapshot = adopt(try result.get(), slots: inFlight.slots, offsets: inFlight.snapshot.offsets)
                inFlight.phase = .outputs
                snapshotInFlight = inFlight
                armWakeUp()
                continue
            }
            guard try producer(awaitedIn: inFlight.phase).isAcknowledged(inFlight.mark) else { return }
            switch inFlight.phase {
            case .encoding:
                return
            case .outputs:
                try await snapshotProducer.send(inFlight.snapshot.chunks)
                inFlight.phase = .chunks
            case .chunks:
                // Manifests only after their chunks: a reader never sees a manifest whose chunks are missing.
                try await snapshotProducer.send(inFlight.snapshot.manifests)
                inFlight.phase = .manifests
            case .manifests:
                metrics.snapshots.increment(by: inFlight.snapshot.tasks)
                snapshotInFlight = nil
                // Group offsets, for monitoring only.
                if !inFlight.snapshot.offsets.isEmpty {
                    do { try await consumer.commit(inFlight.snapshot.offsets) } catch {
                        logger.debug("offset commit (monitoring only) failed: \(error)")
                    }
                }
                return
            }
            inFlight.mark = snapshotProducer.mark()
            snapshotInFlight = inFlight
            armWakeUp()
        }
    }

    /// Wakes a poll that waits for input once the snapshot's current phase is acknowledged, so an idle stage still
    /// completes its snapshot.
    private func armWakeUp() {
        guard let inFlight = snapshotInFlight, inFlight.phase != .encoding else { return }
        producer(awaitedIn: inFlight.phase).whenAcknowledged(inFlight.mark, consumer.wakeUp)
    }

    private func completeSnapshotInFlight() async throws {
        while let inFlight = snapshotInFlight {
            if inFlight.phase == .encoding {
                await inFlight.encoding.waitUntilFinished()
            } else {
                try await producer(awaitedIn: inFlight.phase).waitUntilAcknowledged(inFlight.mark)
            }
            try await advanceSnapshot()
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
