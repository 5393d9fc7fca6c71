import ExchangeRecords
import ExchangeStreams
import XCTest

final class SplitStageTests: XCTestCase {
    static let poison: [(String, [UInt8])] = [
        ("not JSON", Array("hello, exchange".utf8)),
        ("missing field", Array(#"{"order_id":"x1","trader_id":"t","side":"BUY","order_type":"LIMIT","price":1,"quantity":1,"time_in_force":"GTC","timestamp":1}"#.utf8)),
        ("negative quantity", Array(#"{"order_id":"x2","trader_id":"t","stock_symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":-5,"time_in_force":"GTC","timestamp":1}"#.utf8)),
        ("1 MB value", Array(repeating: UInt8(ascii: "x"), count: 1_000_000)),
        ("tombstone", []),
    ]

    /// Writes `count` demo orders plus the poison records (every 97th position) into `incoming_orders`.
    static func fill(_ log: MemoryLog, count: Int) -> Int {
        var generator = DemoOrderGenerator(seed: 7)
        var written = 0
        for i in 0..<count {
            if i % 97 == 50 {
                let (_, bytes) = poison[(i / 97) % poison.count]
                log.append(OutputRecord(topic: Topology.incomingOrders.name, partition: Int32(i % 3), key: nil as String?, value: bytes))
            } else {
                let order = generator.next(timestamp: 1_700_000_000_000 + Int64(i))
                log.append(OutputRecord(topic: Topology.incomingOrders.name, partition: Int32(i % 3), key: order.stockSymbol, value: order.encoded()))
                written += 1
            }
        }
        return written
    }

    func testSplitDeadLettersPoisonAndKeepsDenseSeqsAcrossCrashes() async throws {
        let log = MemoryLog(partitionCount: 3)
        let good = Self.fill(log, count: 2_000)
        var restarts = 0
        func splitCount() throws -> Int {
            try deduplicated(log.records(Topology.buyOrders.name) + log.records(Topology.sellOrders.name), identity: Self.seqIdentity).count
        }
        while try splitCount() < good {
            let consumer = MemoryConsumer(log: log, group: "split")
            let producer = MemoryProducer(log: log)
            let runner = StageRunner(
                definition: SplitStage(partitions: 3), consumer: consumer, producer: producer, changelog: producer,
                options: .init(snapshotIntervalMilliseconds: 1, pollMilliseconds: 1))
            // Each incarnation reads a random number of records, then is killed (a budget, not a race with the
            // stage: on one core the stage would read everything before the test looked).
            let budget = Int.random(in: 1...300)
            consumer.limit(to: budget)
            let task = Task { try await runner.run() }
            try await waitUntil("the split read its budget or the end of its input") {
                try consumer.recordsDelivered >= budget || splitCount() >= good
            }
            task.cancel()
            _ = try? await task.value
            producer.crash(keeping: Double.random(in: 0...1))
            await consumer.close()
            restarts += 1
        }
        XCTAssertGreaterThan(restarts, 1)
        // Dense seqs per partition across both topics, each source offset exactly once.
        let all = try deduplicated(log.records(Topology.buyOrders.name) + log.records(Topology.sellOrders.name), identity: Self.seqIdentity)
        for p in 0..<3 {
            let seqs = all.keys.filter { $0.hasPrefix("\(p)/") }.compactMap { Int($0.split(separator: "/")[1]) }.sorted()
            XCTAssertEqual(seqs, Array(1...seqs.count), "partition \(p)")
            let offsets = all.filter { $0.key.hasPrefix("\(p)/") }.map { try! SequencedOrder.decode(json: $0.value).sourceOffset! }
            XCTAssertEqual(Set(offsets).count, offsets.count)
        }
        // Every order was written outside its symbol's partition or in it: each is sequenced exactly once, in its
        // symbol's partition, forwarded copies that a crash duplicated dropped.
        var generator = DemoOrderGenerator(seed: 7)
        var written: [[UInt8]] = []
        for i in 0..<2_000 where i % 97 != 50 { written.append(generator.next(timestamp: 1_700_000_000_000 + Int64(i)).encoded()) }
        var sequenced: [[UInt8]] = []
        for (identity, value) in all {
            let order = try SequencedOrder.decode(json: value).order
            sequenced.append(order.encoded())
            XCTAssertEqual(identity.split(separator: "/")[0], "\(Topology.partition(ofSymbol: order.stockSymbol ?? "", partitions: 3))")
        }
        XCTAssertEqual(sequenced.sorted { $0.lexicographicallyPrecedes($1) }, written.sorted { $0.lexicographicallyPrecedes($1) })
        // Every poison record is dead-lettered (once by identity) with a reason.
        let letters = try deduplicated(log.records(Topology.deadLetters.name), identity: { String(decoding: $0.key ?? [], as: UTF8.self) })
        XCTAssertEqual(letters.count, 2_000 - good)
        for value in letters.values {
            let letter = try DeadLetter.decode(json: value)
            XCTAssertEqual(letter.stage, "split")
            XCTAssertFalse(letter.reason.isEmpty)
            XCTAssertLessThanOrEqual(value.count, 64 * 1024)
        }
        let reasons = letters.values.map { try! DeadLetter.decode(json: $0).reason }
        XCTAssertTrue(reasons.contains { $0.contains("quantity") }, "\(reasons)")
        XCTAssertTrue(reasons.contains { $0.contains("stock_symbol") }, "\(reasons)")
        XCTAssertTrue(reasons.contains { $0.contains("payload cut") }, "\(reasons)")
    }

    static func seqIdentity(_ record: InputRecord) -> String {
        let seq = (try? SequencedOrder.decode(json: record.value ?? []).seq) ?? -1
        return "\(record.partition)/\(seq)"
    }
}
