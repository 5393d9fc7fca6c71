import ExchangeRecords
import ExchangeStreams
import Gateway
import GatewayClient
import Kafka
import KafkaEmbedded
import Synchronization
import Testing

/// Gateways follow the `instruments` topic on Kafka: two of them converge on the same table (a listing and a halt
/// written while they run apply to their next requests), and WebSocket clients are told of each change.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InstrumentFollowerTests {
    @Test func twoGatewaysConvergeOnTheTopicAndWebSocketClientsHearOfIt() async throws {
        let cluster = try EmbeddedKafka()
        defer { cluster.stop() }
        try cluster.createTopics(Topology.specifications(partitions: 2))
        // A third follower with its own hub stands for a gateway's WebSocket side.
        let hub = MarketDataHub()
        let follower = InstrumentFollower(table: InstrumentTable(InstrumentRules.seed), hub: hub, configuration: cluster.configuration)
        let following = Task { try await follower.run() }
        defer { following.cancel() }
        let listener = hub.connect(trader: "carol")
        let frames = Mutex<[String]>([])
        let listening = Task { for await frame in listener.frames { frames.withLock { $0.append(frame) } } }
        defer { listening.cancel() }

        try await withGatewayService(kafka: cluster.configuration) { _, first, _ in
            try await withGatewayService(kafka: cluster.configuration) { _, second, _ in
                let aapl = ExchangeRecords.Instrument(
                    symbol: "AAPL", name: "Apple Inc.", exchange: "NASDAQ", tickSize: FixedDecimal(micros: 10_000), lotSize: 1,
                    lastPrice: FixedDecimal(micros: 160_000_000), priceBandLow: FixedDecimal(micros: 128_000_000),
                    priceBandHigh: FixedDecimal(micros: 192_000_000))
                var nvda = aapl
                (nvda.symbol, nvda.name) = ("NVDA", "NVIDIA")
                let desk = InstrumentDesk(table: ["AAPL": aapl])
                let changes = try desk.listNew([nvda], timestamp: 1) + [try desk.halt("AAPL", reason: "news pending", timestamp: 2)]
                let producer = try await KafkaProducer(configuration: cluster.configuration)
                try await InstrumentsTopic.publish(changes, producer: producer, partitions: 2)
                await producer.close()

                for gateway in [first, second] {
                    _ = try await eventually("the gateway's table has NVDA and AAPL halted") { () -> Bool? in
                        let list = try await gateway.send("GET", "/v1/instruments")
                        guard case .array(let all)? = list.json?["data"] else { return nil }
                        let status = { (symbol: String) in all.first { $0["symbol"] == .string(symbol) }?["status"] }
                        return status("NVDA") == .string("TRADING") && status("AAPL") == .string("HALTED") ? true : nil
                    }
                    let halted = try await gateway.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"GTC"}"#)
                    #expect(halted.status == 400 && halted.text.contains("HALTED") && halted.text.contains("news pending"), "\(halted.text)")
                    let listed = try await gateway.send("POST", "/v1/orders", body: #"{"symbol":"NVDA","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"GTC"}"#)
                    #expect(listed.status == 202, "\(listed.text)")
                }
            }
        }
        let heard = try await eventually("both changes on the WebSocket side") { () -> [String]? in
            let heard = frames.withLock { $0 }
            return heard.count >= 2 ? heard : nil
        }
        #expect(heard.contains(#"{"type":"instrument","data":{"symbol":"NVDA","status":"TRADING"}}"#), "\(heard)")
        #expect(heard.contains(#"{"type":"instrument","data":{"symbol":"AAPL","status":"HALTED","halt_reason":"news pending"}}"#), "\(heard)")
        hub.disconnect(listener.id)
    }
}
