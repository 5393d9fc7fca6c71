import ExchangeRecords
import ExchangeStreams
import Kafka
import XCTest

final class KafkaSplitTests: XCTestCase {
    func testSplitOnTheEmbeddedClusterSequencesAndDeadLetters() async throws {
        let exchange = try await TestExchange()
        var generator = DemoOrderGenerator(seed: 3)
        var inputs: [(key: String?, value: [UInt8], partition: Int32?)] = (0..<500).map { i in
            let order = generator.next(timestamp: 1_700_000_000_000 + Int64(i))
            return (order.stockSymbol, order.encoded(), nil)
        }
        inputs.insert((nil, Array("not json".utf8), 1), at: 100)
        inputs.append((nil, IncomingOrder.tick(Tick(timestamp: 1_700_000_001_000)).encoded(), 2))
        try await exchange.produce(inputs)
        let split = exchange.start(SplitStage(partitions: 3))
        try await waitUntil("split output", timeout: .seconds(60), every: .milliseconds(100)) {
            let out = try await exchange.read(Topology.buyOrders.name).count + exchange.read(Topology.sellOrders.name).count
            return out >= 501
        }
        let buys = try await exchange.read(Topology.buyOrders.name)
        let sells = try await exchange.read(Topology.sellOrders.name)
        let all = try deduplicated(buys + sells, identity: SplitStageTests.seqIdentity)
        XCTAssertEqual(all.count, 501)
        for p in 0..<3 {
            let seqs = all.keys.filter { $0.hasPrefix("\(p)/") }.compactMap { Int($0.split(separator: "/")[1]) }.sorted()
            XCTAssertEqual(seqs, Array(1...seqs.count))
        }
        // Keyed by symbol through librdkafka's partitioner, every order already sits in its symbol's partition: the
        // splitter forwarded none (incoming_orders holds only what the test wrote).
        let incoming = try await exchange.read(Topology.incomingOrders.name)
        XCTAssertEqual(incoming.count, inputs.count)
        let ticks = buys.filter { (try? SequencedOrder.decode(json: $0.value ?? []))?.order.side == nil }
        XCTAssertEqual(ticks.count, 1)
        try await waitUntil("dead letter", every: .milliseconds(100)) { try await exchange.read(Topology.deadLetters.name).count == 1 }
        let letter = try DeadLetter.decode(json: try await exchange.read(Topology.deadLetters.name)[0].value ?? [])
        XCTAssertEqual(letter.sourcePartition, 1)
        XCTAssertEqual(letter.stage, "split")
        try await crash(split)
    }
}
