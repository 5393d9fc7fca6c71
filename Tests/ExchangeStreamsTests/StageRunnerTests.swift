import Foundation
import ExchangeRecords
import ExchangeStreams
import XCTest

/// A toy stateful stage: numbers each input record per partition and keeps a running sum, so a lost or doubly
/// applied record changes every later output.
struct CountingStage: StageDefinition {
    let name = "count"
    /// Adds a second task kind on the same input, `recount`, whose outputs are keyed `r<count>`.
    var sharedInput = false
    var kinds: [TaskKind] {
        [TaskKind(name: "count", inputs: ["numbers"])] + (sharedInput ? [TaskKind(name: "recount", inputs: ["numbers"])] : [])
    }

    final class CountingTask: StageTask {
        let partition: Int32
        let keyPrefix: String
        var next: Int64?
        var count: Int64 = 0
        var sum: Int64 = 0

        init(partition: Int32, keyPrefix: String) {
            self.partition = partition
            self.keyPrefix = keyPrefix
        }

        var positions: [String: Int64] { next.map { ["numbers": $0] } ?? [:] }
        var marks: [String: Int64] { ["count": count, "sum": sum] }
        func stateBytes() throws -> [UInt8] { [] }

        func apply(_ record: InputRecord, into outputs: inout [OutputRecord]) throws {
            next = record.offset + 1
            let value = Int64(String(decoding: record.value ?? [], as: UTF8.self)) ?? 0
            count += 1
            sum += value
            outputs.append(
                OutputRecord(topic: "sums", partition: partition, key: "\(keyPrefix)\(count)", value: Array("\(count):\(sum)".utf8)))
        }
    }

    func makeTask(kind: TaskKind, partition: Int32, snapshot: StageSnapshot?) throws -> any StageTask {
        let task = CountingTask(partition: partition, keyPrefix: kind.name == "recount" ? "r" : "")
        if let snapshot {
            task.next = snapshot.positions["numbers"]
            task.count = snapshot.marks["count"] ?? 0
            task.sum = snapshot.marks["sum"] ?? 0
        }
        return task
    }
}

/// Waits (polling, with a deadline) until `condition` holds.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(2),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        if ContinuousClock.now > deadline { throw StageError("timed out waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}

/// Removes byte-identical duplicates by identity and fails on an identity with two contents.
func deduplicated(_ records: [InputRecord], identity: (InputRecord) -> String) throws -> [String: [UInt8]] {
    var seen: [String: [UInt8]] = [:]
    for record in records {
        let id = identity(record)
        let value = Array(record.value ?? [])
        if let earlier = seen[id], earlier != value {
            throw StageError(
                "identity \(id) has two contents: \(String(decoding: earlier, as: UTF8.self)) vs \(String(decoding: value, as: UTF8.self))")
        }
        seen[id] = value
    }
    return seen
}

func partitionAndKey(_ record: InputRecord) -> String {
    "\(record.partition)/\(String(decoding: record.key ?? [], as: UTF8.self))"
}

final class StageRunnerTests: XCTestCase {
    func testSnapshotChangelogRoundTripAndChunking() throws {
        let big = StageSnapshot(
            task: "t/k/0", version: 3, positions: ["a": 5], marks: ["m": 1],
            state: (0..<(SnapshotChangelog.chunkSize * 2 + 17)).map { UInt8(truncatingIfNeeded: $0) })
        let written = try SnapshotChangelog.records(for: big, writer: "w", topic: "c", partition: 0)
        XCTAssertEqual(written.chunks.count, 3)
        var log: [InputRecord] = []
        for (i, r) in (written.chunks + [written.manifest]).enumerated() {
            log.append(InputRecord(topic: "c", partition: 0, offset: Int64(i), key: r.key?[...], value: r.value?[...]))
        }
        XCTAssertEqual(try SnapshotChangelog.latest(task: "t/k/0", in: log)?.0, big)
        // A newer snapshot whose manifest never got written does not hide the older complete one.
        var newer = big
        newer.version = 4
        let partial = try SnapshotChangelog.records(for: newer, writer: "w", topic: "c", partition: 0)
        log.append(InputRecord(topic: "c", partition: 0, offset: 9, key: partial.chunks[0].key?[...], value: partial.chunks[0].value?[...]))
        XCTAssertEqual(try SnapshotChangelog.latest(task: "t/k/0", in: log)?.0.version, 3)
        // Manifests whose chunks are all gone: refuse to start from scratch.
        let onlyManifest = [InputRecord(topic: "c", partition: 0, offset: 0, key: written.manifest.key?[...], value: written.manifest.value?[...])]
        XCTAssertThrowsError(try SnapshotChangelog.latest(task: "t/k/0", in: onlyManifest))
        XCTAssertNil(try SnapshotChangelog.latest(task: "other", in: log))
    }

    /// The manifest carries the standard CRC-32 (IEEE) of the whole payload, whatever its length, and a snapshot
    /// with a changed byte is not restored.
    func testSnapshotManifestCarriesTheStandardCRC32() throws {
        func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return ~crc
        }
        struct Manifest: Decodable { var crc32: UInt32 }
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 7, 8, 9, 63, 1000, SnapshotChangelog.chunkSize + 5] {
            let snapshot = StageSnapshot(
                task: "t/k/0", version: 1, positions: [:], marks: [:],
                state: (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let written = try SnapshotChangelog.records(for: snapshot, writer: "w", topic: "c", partition: 0)
            let payload = written.chunks.flatMap { $0.value ?? [] }
            let manifest = try JSONDecoder().decode(Manifest.self, from: Data(written.manifest.value ?? []))
            XCTAssertEqual(manifest.crc32, bitwiseCRC32(payload), "payload of \(payload.count) bytes")
            guard length > 0 else { continue }
            var corrupted = written.chunks
            var lastChunk = corrupted[corrupted.count - 1].value ?? []
            lastChunk[lastChunk.count - 1] ^= 0x01
            corrupted[corrupted.count - 1].value = lastChunk
            let log = (corrupted + [written.manifest]).enumerated().map { i, r in
                InputRecord(topic: "c", partition: 0, offset: Int64(i), key: r.key?[...], value: r.value?[...])
            }
            XCTAssertThrowsError(try SnapshotChangelog.latest(task: "t/k/0", in: log))
        }
    }

    func testKillAndRestartAtRandomPointsGivesTheFaultFreeOutput() async throws {
        try await killAndRestartAtRandomPoints(CountingStage())
    }

    /// Two tasks on one input partition, each with its own snapshot: a crash can leave one task's snapshot written
    /// and not the other's, so they restart from different positions of the input they share.
    func testTasksSharingAnInputKillAndRestartGiveTheFaultFreeOutput() async throws {
        try await killAndRestartAtRandomPoints(CountingStage(sharedInput: true))
    }

    /// Tasks on one input that restore snapshots at different positions: the input is read again from the lower
    /// one, and each task takes exactly the records after its own position.
    func testTasksSharingAnInputResumeEachFromItsOwnPosition() async throws {
        let stage = CountingStage(sharedInput: true)
        let log = MemoryLog(partitionCount: 1)
        for i in 0..<30 {
            log.append(OutputRecord(topic: "numbers", partition: 0, key: nil as String?, value: Array("\(i)".utf8)))
        }
        for (task, position) in [("count/count/0", 20), ("count/recount/0", 5)] {
            let snapshot = StageSnapshot(
                task: task, version: 1, positions: ["numbers": Int64(position)],
                marks: ["count": Int64(position), "sum": Int64((0..<position).reduce(0, +))], state: [])
            let written = try SnapshotChangelog.records(for: snapshot, writer: "earlier", topic: stage.changelogTopic, partition: 0)
            for record in written.chunks + [written.manifest] { log.append(record) }
        }
        let consumer = MemoryConsumer(log: log, group: "count")
        let producer = MemoryProducer(log: log)
        let runner = StageRunner(
            definition: stage, consumer: consumer, producer: producer, changelog: producer,
            options: .init(snapshotIntervalMilliseconds: 1, pollMilliseconds: 1))
        let task = Task { try await runner.run() }
        try await waitUntil("both tasks reached the end of the input") {
            try deduplicated(log.records("sums"), identity: partitionAndKey).count == 10 + 25
        }
        task.cancel()
        _ = try? await task.value
        await consumer.close()
        let keys = log.records("sums").map { String(decoding: $0.key ?? [], as: UTF8.self) }
        XCTAssertEqual(Set(keys), Set((21...30).map { "\($0)" } + (6...30).map { "r\($0)" }))
        let outputs = try deduplicated(log.records("sums"), identity: partitionAndKey)
        XCTAssertEqual(outputs["0/30"].map { String(decoding: $0, as: UTF8.self) }, "30:435")
        XCTAssertEqual(outputs["0/r30"].map { String(decoding: $0, as: UTF8.self) }, "30:435")
    }

    func killAndRestartAtRandomPoints(_ stage: CountingStage) async throws {
        let kindsCount = stage.kinds.count
        let log = MemoryLog(partitionCount: 3)
        let total = 3_000
        for i in 0..<total {
            log.append(OutputRecord(topic: "numbers", partition: Int32(i % 3), key: nil as String?, value: Array("\(i)".utf8)))
        }
        var rng = SystemRandomNumberGenerator()
        var restarts = 0
        while true {
            let consumer = MemoryConsumer(log: log, group: "count")
            let producer = MemoryProducer(log: log)
            let runner = StageRunner(
                definition: stage, consumer: consumer, producer: producer, changelog: producer,
                options: .init(snapshotIntervalMilliseconds: 1, pollMilliseconds: 1))
            // Each incarnation reads a random number of records, then is killed.
            let budget = Int.random(in: 1...400, using: &rng)
            consumer.limit(to: budget)
            let task = Task { try await runner.run() }
            try await waitUntil("the stage read its budget or the end of its input") {
                try consumer.recordsDelivered >= budget
                    || (try deduplicated(log.records("sums"), identity: partitionAndKey).count == total * kindsCount)
            }
            let finished = try deduplicated(log.records("sums"), identity: partitionAndKey).count == total * kindsCount
            task.cancel()
            _ = try? await task.value
            producer.crash(keeping: Double.random(in: 0...1, using: &rng))
            await consumer.close()
            restarts += 1
            if finished { break }
            XCTAssertLessThan(restarts, 200)
        }
        let outputs = try deduplicated(log.records("sums"), identity: partitionAndKey)
        XCTAssertEqual(outputs.count, total * kindsCount)
        for p in 0..<3 {
            // Partition p holds the numbers p, p+3, …: every running sum is the sum of those before it.
            let values = Array(stride(from: p, to: total, by: 3))
            for prefix in ["", "r"].prefix(kindsCount) {
                var sum = 0
                for (i, value) in values.enumerated() {
                    sum += value
                    let output = outputs["\(p)/\(prefix)\(i + 1)"].map { String(decoding: $0, as: UTF8.self) }
                    XCTAssertEqual(output, "\(i + 1):\(sum)", "partition \(p), task \(prefix.isEmpty ? "count" : "recount")")
                }
            }
        }
        XCTAssertGreaterThan(restarts, 1)
    }
}

/// A seq lost upstream (both inputs already hold later ones) stops the matcher with a clear error instead of a
/// silent stall.
final class SeqGapTests: XCTestCase {
    func testMatcherStopsWhenASeqCanNoLongerArrive() async throws {
        let log = MemoryLog(partitionCount: 1)
        func write(_ topic: String, seq: Int64) {
            var bytes: [UInt8] = []
            SequencedOrder(seq: seq, order: .tick(Tick(timestamp: 1_700_000_000_000 + seq))).encode(into: &bytes)
            log.append(OutputRecord(topic: topic, partition: 0, key: nil as String?, value: bytes))
        }
        write(Topology.buyOrders.name, seq: 1)
        write(Topology.buyOrders.name, seq: 3)  // seq 2 never written
        write(Topology.sellOrders.name, seq: 4)
        let consumer = MemoryConsumer(log: log, group: "match")
        let producer = MemoryProducer(log: log)
        let runner = StageRunner(
            definition: MatchStage(), consumer: consumer, producer: producer, changelog: producer,
            options: .init(snapshotIntervalMilliseconds: 1, pollMilliseconds: 1))
        let outcome = Task { () -> String in
            do {
                try await runner.run()
                return "returned"
            } catch let error as StageError {
                return error.description
            }
        }
        let message = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await outcome.value }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                outcome.cancel()
                return "timed out: the matcher kept waiting"
            }
            defer { group.cancelAll() }
            return try await group.next() ?? ""
        }
        XCTAssertTrue(message.contains("seq 2"), message)
        XCTAssertTrue(message.contains("lost upstream"), message)
        await consumer.close()
    }
}
