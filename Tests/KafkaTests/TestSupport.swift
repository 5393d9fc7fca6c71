import Foundation
import Kafka
import Testing

struct TimeoutError: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body`, failing with `TimeoutError` if it does not finish within `seconds`.
func withTimeout<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            throw TimeoutError(what: what)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimeoutError(what: what) }
        return first
    }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func waitUntil(_ seconds: Double, _ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimeoutError(what: what)
}

/// A consumed record reduced to comparable values.
struct Record: Hashable, Sendable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var key: String?
    var value: String?
    var headers: [KafkaHeader]

    init(_ m: KafkaMessage) {
        topic = m.topic
        partition = m.partition
        offset = m.offset
        key = m.keyString
        value = m.valueString
        headers = m.headers
    }
}

func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UInt32.random(in: 0...UInt32.max))" }

/// Thread-safe accumulation for consumer tasks.
actor Collected {
    var records: [Record] = []
    var assignments: [String: Set<KafkaTopicPartition>] = [:]
    func add(_ batch: KafkaMessageBatch) { records += batch.map(Record.init) }
    func assign(_ member: String, _ ps: [KafkaTopicPartition]) { assignments[member, default: []].formUnion(ps) }
    func revoke(_ member: String, _ ps: [KafkaTopicPartition]) { assignments[member, default: []].subtract(ps) }
    /// How the consuming task ended, if it has.
    var ending: String?
    func end(_ how: String) { ending = how }
    func count() -> Int { records.count }
    func assignment(_ member: String) -> Set<KafkaTopicPartition> { assignments[member] ?? [] }
}

/// Consumes until the sequence ends, storing offsets after each batch (auto-commit commits them).
/// No synchronous commit on revocation: the embedded cluster refuses commits during a rebalance.
func runMember(_ name: String, _ consumer: KafkaConsumer, into collected: Collected) async throws {
    for try await event in consumer.events {
        switch event {
        case .messages(let batch):
            await collected.add(batch)
            try consumer.storeOffsets(batch.nextOffsets)
        case .partitionsAssigned(let ps):
            await collected.assign(name, ps)
        case .partitionsRevoked(let ps):
            await collected.revoke(name, ps)
        }
    }
}

func produce(_ producer: KafkaProducer, topic: String, partitions: Int32, range: Range<Int>) async throws -> [KafkaDeliveryReport] {
    let messages = range.map { i in
        KafkaProducerMessage(topic: topic, partition: Int32(i) % partitions, key: "k\(i)", value: Array("\(i)".utf8))
    }
    let reports = try await producer.sendAndAwait(contentsOf: messages)
    for r in reports { #expect(r.error == nil) }
    return reports
}
