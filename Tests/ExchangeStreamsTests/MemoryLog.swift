import ExchangeRecords
import ExchangeStreams
import Foundation

/// An in-memory log with consumer groups (range assignment), for fast deterministic tests of the stage runner
/// without a broker. A producer can be "crashed": records it sent but nobody flushed are lost, some of them
/// (a prefix per partition, as with an idempotent producer) may have reached the log.
final class MemoryLog: @unchecked Sendable {
    private let lock = NSLock()
    private var partitions: [String: [[InputRecord]]] = [:]
    private var groups: [String: [MemoryConsumer]] = [:]
    let partitionCount: Int32

    init(partitionCount: Int32) { self.partitionCount = partitionCount }

    func records(_ topic: String) -> [InputRecord] {
        lock.withLock { (partitions[topic] ?? []).flatMap { $0 } }
    }

    func records(_ topic: String, _ partition: Int32) -> [InputRecord] {
        lock.withLock { ensure(topic)[Int(partition)] }
    }

    @discardableResult
    private func ensure(_ topic: String) -> [[InputRecord]] {
        if let existing = partitions[topic] { return existing }
        let count = topic.hasPrefix("top_profit") || topic == Topology.deadLetters.name ? 1 : Int(partitionCount)
        let fresh = Array(repeating: [InputRecord](), count: count)
        partitions[topic] = fresh
        return fresh
    }

    func append(_ record: OutputRecord) {
        lock.withLock {
            ensure(record.topic)
            let offset = Int64(partitions[record.topic]![Int(record.partition)].count)
            partitions[record.topic]![Int(record.partition)].append(
                InputRecord(
                    topic: record.topic, partition: record.partition, offset: offset, key: record.key.map { $0[...] },
                    value: record.value.map { $0[...] }))
        }
    }

    func read(_ tp: TopicPartition, from offset: Int64, max: Int) -> [InputRecord] {
        lock.withLock {
            let list = ensure(tp.topic)[Int(tp.partition)]
            guard offset < list.count else { return [] }
            return Array(list[Int(offset)..<min(list.count, Int(offset) + max)])
        }
    }

    // MARK: groups

    func join(_ consumer: MemoryConsumer) {
        lock.withLock { groups[consumer.group, default: []].append(consumer) }
        rebalance(consumer.group)
    }

    func leave(_ consumer: MemoryConsumer) {
        lock.withLock { groups[consumer.group]?.removeAll { $0 === consumer } }
        rebalance(consumer.group)
    }

    private func rebalance(_ group: String) {
        let members = lock.withLock { groups[group] ?? [] }
        for member in members { member.revokeAll() }
        guard !members.isEmpty else { return }
        // Range assignment per topic: partition p goes to member p * n / count.
        var assignment = Array(repeating: [TopicPartition](), count: members.count)
        for topic in members[0].topics {
            let count = lock.withLock { ensure(topic).count }
            for p in 0..<count {
                assignment[p * members.count / count].append(TopicPartition(topic, Int32(p)))
            }
        }
        for (member, partitions) in zip(members, assignment) { member.assign(partitions) }
    }
}

final class MemoryConsumer: StageConsumer, @unchecked Sendable {
    let log: MemoryLog
    let group: String
    private(set) var topics: [String] = []
    private let lock = NSLock()
    private var events: [ConsumerEvent] = []
    private var positions: [TopicPartition: Int64] = [:]
    private var assigned: Set<TopicPartition> = []
    /// Records this consumer hands out at most: a test stops the stage at a chosen point of its input, not at
    /// whatever point a timer happens to catch it.
    private var budget = Int.max
    private var delivered = 0

    func limit(to records: Int) { lock.withLock { budget = records } }
    var recordsDelivered: Int { lock.withLock { delivered } }

    init(log: MemoryLog, group: String) {
        self.log = log
        self.group = group
    }

    func subscribe(_ topics: [String]) async throws {
        self.topics = topics
        log.join(self)
    }

    func revokeAll() {
        lock.withLock {
            if !assigned.isEmpty { events.append(.revoked(Array(assigned))) }
            assigned = []
            positions = [:]
        }
    }

    func assign(_ partitions: [TopicPartition]) {
        lock.withLock {
            assigned = Set(partitions)
            events.append(.assigned(partitions))
        }
    }

    func poll(maxWaitMilliseconds: Int) async throws -> [ConsumerEvent] {
        var out = lock.withLock {
            let pending = events
            events = []
            return pending
        }
        var records: [InputRecord] = []
        let reading = lock.withLock { positions }
        for (tp, offset) in reading.sorted(by: { $0.key.description < $1.key.description }) {
            let allowed = lock.withLock { min(50, budget - delivered) }
            guard allowed > 0 else { break }
            let batch = log.read(tp, from: offset, max: allowed)
            if let last = batch.last {
                lock.withLock {
                    if positions[tp] != nil { positions[tp] = last.offset + 1 }
                    delivered += batch.count
                }
                records += batch
            }
        }
        if !records.isEmpty { out.append(.records(records)) }
        if out.isEmpty { await Task.yield() }
        return out
    }

    func read(from positions: [TopicPartition: Int64?]) async throws {
        lock.withLock {
            for (tp, offset) in positions where assigned.contains(tp) { self.positions[tp] = offset ?? 0 }
        }
    }

    func commit(_ offsets: [TopicPartition: Int64]) async throws {}

    func close() async { log.leave(self) }

    let wakeUp: @Sendable () -> Void = {}  // poll never blocks here

    func cachedEndOffsets(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] { [:] }
}

final class MemoryProducer: StageProducer, ChangelogSource, @unchecked Sendable {
    let log: MemoryLog
    private var unflushed: [OutputRecord] = []

    init(log: MemoryLog) { self.log = log }

    func send(_ records: [OutputRecord]) async throws {
        unflushed += records
        sent += UInt64(records.count)
    }

    func flush() async throws {
        for record in unflushed { log.append(record) }
        unflushed = []
    }

    /// Records sent so far; the unflushed ones are the last `unflushed.count` of them.
    private var sent: UInt64 = 0

    func mark() -> OutputMark { OutputMark(position: sent) }

    /// The broker "acknowledges" what a mark covers when asked: those records reach the log, later ones stay
    /// unflushed (and a crash may lose them).
    func isAcknowledged(_ mark: OutputMark) throws -> Bool {
        let flushedThrough = sent - UInt64(unflushed.count)
        if mark.position > flushedThrough {
            let count = Int(mark.position - flushedThrough)
            for record in unflushed.prefix(count) { log.append(record) }
            unflushed.removeFirst(count)
        }
        return true
    }

    func waitUntilAcknowledged(_ mark: OutputMark) async throws { _ = try isAcknowledged(mark) }

    func whenAcknowledged(_ mark: OutputMark, _ action: @escaping @Sendable () -> Void) { action() }

    /// Simulates a crash: a random prefix of the unflushed records reached the log, the rest is lost.
    func crash(keeping fraction: Double) {
        let kept = Int(Double(unflushed.count) * fraction)
        for record in unflushed.prefix(kept) { log.append(record) }
        unflushed = []
    }

    func readAll(_ partition: TopicPartition) async throws -> [InputRecord] {
        log.records(partition.topic, partition.partition)
    }
}
