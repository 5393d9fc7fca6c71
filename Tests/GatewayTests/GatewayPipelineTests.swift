import ExchangeRecords
import ExchangeStreams
import Foundation
import Gateway
import GatewayClient
import Kafka
import KafkaEmbedded
import Synchronization
import Testing

/// The gateway in front of the real pipeline: an embedded cluster with the exchange's topics, the split and match
/// stages running in-process as `exchange run` runs them, and `GatewayService` with its read model. Orders go in
/// through `POST /v1/orders`; their fate comes back through the matcher's reports and trades.
@Suite(.serialized, .timeLimit(.minutes(3))) struct GatewayPipelineTests {
    static let partitions = 2

    /// A cluster with every exchange topic and the split and match stages running for the duration of `body`.
    static func withPipeline(_ body: (EmbeddedKafka, StreamsSettings) async throws -> Void) async throws {
        let cluster = try EmbeddedKafka(logger: quietLogger("embedded-kafka"))
        defer { cluster.stop() }
        var settings = StreamsSettings(brokerKind: .embedded, bootstrapServers: cluster.bootstrapServers, partitions: partitions)
        settings.snapshotIntervalMilliseconds = 50
        try cluster.createTopics(Topology.specifications(partitions: partitions))
        let stages: [any StageDefinition] = [SplitStage(partitions: partitions), MatchStage()]
        let tasks = stages.map { stage in
            let service = StageService(stage, settings: settings, logger: quietLogger("test.\(stage.name)"))
            return Task { try await service.runUntilCancelled() }
        }
        func stop() async {
            for task in tasks { task.cancel() }
            for task in tasks { _ = try? await task.value }
        }
        do { try await body(cluster, settings) } catch {
            await stop()
            throw error
        }
        await stop()
    }

    /// Writes one tick record into every partition of `incoming_orders`, as the clock service does, but carrying
    /// `timestamp` instead of the wall clock: event time jumps there for every book.
    static func tick(_ settings: StreamsSettings, at timestamp: Int64) async throws {
        let producer = try await KafkaProducer(configuration: settings.producerConfiguration)
        for partition in 0..<Int32(settings.partitions) {
            let report = try await producer.sendAndAwait(KafkaProducerMessage(
                topic: Topology.incomingOrders.name, partition: partition, value: IncomingOrder.tick(Tick(timestamp: timestamp)).encoded()))
            if let error = report.error { throw error }
        }
        await producer.close()
    }

    static func orderId(_ response: GatewayClient.Response) -> String? {
        guard response.status == 202, case .string(let id)? = response.json?["data"]?["order_id"] else {
            Issue.record("order not accepted: \(response.status) \(response.text)")
            return nil
        }
        return id
    }

    /// GET /v1/orders/{id} once its status is `status`.
    static func order(_ client: GatewayClient, _ id: String, status: String) async throws -> JSONValue {
        try await eventually("order \(id) \(status)") {
            let data = try await client.send("GET", "/v1/orders/\(id)").json?["data"]
            return data?["status"] == .string(status) ? data : nil
        }
    }

    @Test func crossingOrdersFillThroughSplitAndMatch() async throws {
        try await GatewayPipelineTests.withPipeline { _, settings in
            try await withGatewayService(kafka: settings.kafka, partitions: GatewayPipelineTests.partitions) { _, alice, bob in
                let sell = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":160.00,"quantity":10,"validity":"GTC"}"#)
                guard let sellId = GatewayPipelineTests.orderId(sell) else { return }
                let resting = try await GatewayPipelineTests.order(alice, sellId, status: "NEW")
                #expect(resting["pending_quantity"] == .int(10))

                let buy = try await bob.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.25,"quantity":10,"validity":"DAY"}"#)
                guard let buyId = GatewayPipelineTests.orderId(buy) else { return }
                let filled = try await GatewayPipelineTests.order(bob, buyId, status: "FILLED")
                #expect(filled["filled_quantity"] == .int(10))
                #expect(filled["pending_quantity"] == .int(0))
                #expect(filled["average_price"] == .micros(160_000_000), "executes at the resting order's price")
                guard case .array(let fills)? = filled["fills"], fills.count == 1 else {
                    Issue.record("expected one fill: \(filled.serialized())"); return
                }
                #expect(fills[0]["price"] == .micros(160_000_000))
                #expect(fills[0]["quantity"] == .int(10))
                let tradeId = fills[0]["trade_id"]

                let sold = try await GatewayPipelineTests.order(alice, sellId, status: "FILLED")
                #expect(sold["filled_quantity"] == .int(10))

                let bobTrades = try await eventually("bob's trade in GET /trades") {
                    let response = try await bob.send("GET", "/v1/trades")
                    if case .array(let trades)? = response.json?["data"], !trades.isEmpty { return trades }
                    return nil
                }
                #expect(bobTrades.count == 1)
                #expect(bobTrades.first?["trade_id"] == tradeId)
                #expect(bobTrades.first?["order_id"] == .string(buyId))
                #expect(bobTrades.first?["side"] == .string("BUY"))
                #expect(bobTrades.first?["price"] == .micros(160_000_000))
                #expect(bobTrades.first?["quantity"] == .int(10))
                #expect(bobTrades.first?["aggressor_side"] == .string("BUY"))
                guard case .array(let aliceTrades)? = try await alice.send("GET", "/v1/trades").json?["data"] else {
                    Issue.record("no trades array for alice"); return
                }
                #expect(aliceTrades.map { $0["order_id"] } == [.string(sellId)])
                #expect(aliceTrades.first?["side"] == .string("SELL"))

                let quote = try await alice.send("GET", "/v1/quote/AAPL").json?["data"]
                #expect(quote?["last_price"] == .micros(160_000_000))
                #expect(quote?["volume"] == .int(10))
            }
        }
    }

    @Test func ttlOrderExpiresWhenEventTimePassesItsValidity() async throws {
        try await GatewayPipelineTests.withPipeline { _, settings in
            try await withGatewayService(kafka: settings.kafka, partitions: GatewayPipelineTests.partitions) { _, alice, _ in
                let placed = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"GOOG","side":"BUY","order_type":"LIMIT","price":1160.00,"quantity":3,"validity":"TTL","validity_ttl":2}"#)
                guard let id = GatewayPipelineTests.orderId(placed) else { return }
                let live = try await GatewayPipelineTests.order(alice, id, status: "NEW")
                #expect(live["validity"] == .string("TTL"))
                guard case .number(let stamp)? = live["order_timestamp"], let placedAt = Int64(stamp) else {
                    Issue.record("no order_timestamp: \(live.serialized())"); return
                }
                // One minute of event time later the order still rests; past its two minutes it expires.
                try await GatewayPipelineTests.tick(settings, at: placedAt + 60_000)
                try await GatewayPipelineTests.tick(settings, at: placedAt + 2 * 60_000 + 1)
                let expired = try await GatewayPipelineTests.order(alice, id, status: "EXPIRED")
                #expect(expired["filled_quantity"] == .int(0))
                #expect(expired["pending_quantity"] == .int(0))
                #expect(expired["update_timestamp"] == .int(placedAt + 2 * 60_000), "expires at timestamp + validity_ttl, in event time")
                guard case .array(let history)? = expired["history"] else { Issue.record("no history"); return }
                // (PENDING first, unless the engine's NEW overtook the gateway's own bookkeeping)
                #expect(history.compactMap { $0["status"] }.filter { $0 != .string("PENDING") } == [.string("NEW"), .string("EXPIRED")])
            }
        }
    }

    /// A gateway that never saw an order placed (another instance, or the placing one after a restart) knows it from
    /// `execution_reports` alone, and shows it as the gateway that placed it does: type, validity, TTL, client order
    /// id, price and placement time included. (Only the history differs: the placing gateway saw it PENDING.)
    @Test func anotherGatewayShowsAnOrderAsThePlacingOneDoes() async throws {
        @Sendable func withoutHistory(_ view: JSONValue) -> JSONValue {
            guard case .object(let members) = view else { return view }
            return .object(members.filter { $0.0 != "history" })
        }
        try await GatewayPipelineTests.withPipeline { _, settings in
            try await withGatewayService(kafka: settings.kafka, partitions: GatewayPipelineTests.partitions) { _, alice, bob in
                try await withGatewayService(kafka: settings.kafka, partitions: GatewayPipelineTests.partitions) { _, otherAlice, otherBob in
                    let ttl = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"GOOG","side":"SELL","order_type":"LIMIT","price":1160.00,"quantity":3,"validity":"TTL","validity_ttl":5,"client_order_id":"ttl-1"}"#)
                    guard let ttlId = GatewayPipelineTests.orderId(ttl) else { return }
                    _ = try await GatewayPipelineTests.order(alice, ttlId, status: "NEW")
                    let market = try await bob.send("POST", "/v1/orders", body: #"{"symbol":"GOOG","side":"BUY","order_type":"MARKET","quantity":1,"validity":"IOC","client_order_id":"mkt-1"}"#)
                    guard let marketId = GatewayPipelineTests.orderId(market) else { return }
                    let day = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":150.00,"quantity":5,"validity":"GTC"}"#)
                    guard let dayId = GatewayPipelineTests.orderId(day) else { return }
                    _ = try await GatewayPipelineTests.order(alice, dayId, status: "NEW")
                    #expect(try await alice.send("DELETE", "/v1/orders/\(dayId)").status == 202)

                    let orders = [
                        (alice, otherAlice, ttlId, "PARTIALLY_FILLED"), (bob, otherBob, marketId, "FILLED"),
                        (alice, otherAlice, dayId, "CANCELED"),
                    ]
                    for (placer, other, id, status) in orders {
                        let placed = try await GatewayPipelineTests.order(placer, id, status: status)
                        let seen = try await GatewayPipelineTests.order(other, id, status: status)
                        #expect(withoutHistory(seen) == withoutHistory(placed), "\(seen.serialized())\n\(placed.serialized())")
                    }
                    let seen = try await GatewayPipelineTests.order(otherAlice, ttlId, status: "PARTIALLY_FILLED")
                    #expect(seen["order_type"] == .string("LIMIT"))
                    #expect(seen["validity"] == .string("TTL"))
                    #expect(seen["validity_ttl"] == .int(5))
                    #expect(seen["client_order_id"] == .string("ttl-1"))
                    #expect(seen["price"] == .micros(1_160_000_000))

                    // A modify changes price and quantity only; its report carries no terms, and both gateways keep the
                    // ones they had, and the placement time.
                    #expect(try await alice.send("PUT", "/v1/orders/\(ttlId)", body: #"{"price":1161.00,"quantity":4}"#).status == 202)
                    let replaced = try await GatewayPipelineTests.order(alice, ttlId, status: "REPLACED")
                    let replacedSeen = try await GatewayPipelineTests.order(otherAlice, ttlId, status: "REPLACED")
                    #expect(withoutHistory(replacedSeen) == withoutHistory(replaced), "\(replacedSeen.serialized())\n\(replaced.serialized())")
                    #expect(replacedSeen["price"] == .micros(1_161_000_000) && replacedSeen["quantity"] == .int(4))
                    #expect(replacedSeen["validity_ttl"] == .int(5) && replacedSeen["client_order_id"] == .string("ttl-1"))
                    #expect(replacedSeen["order_timestamp"] == seen["order_timestamp"])
                }
            }
        }
    }

    /// A client that retries after the gateway restarted (lost its in-memory idempotency answers) gets the same
    /// order id, and the order never trades twice: the retry is answered from the rebuilt read model, and a copy that
    /// does reach `incoming_orders` is refused by the matching engine as a duplicate order id.
    @Test func retryAfterGatewayRestartKeepsTheOrderIdAndNeverTradesTwice() async throws {
        let retryKey = [("Idempotency-Key", "bob-buy-1")]
        let buyBody = #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.25,"quantity":10,"validity":"GTC"}"#
        let sellBody = #"{"symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":160.00,"quantity":10,"validity":"GTC"}"#
        try await GatewayPipelineTests.withPipeline { _, settings in
            let first = Mutex<String?>(nil)
            try await withGatewayService(kafka: settings.kafka, partitions: GatewayPipelineTests.partitions) { _, alice, bob in
                guard let sellId = GatewayPipelineTests.orderId(try await alice.send("POST", "/v1/orders", body: sellBody)) else { return }
                _ = try await GatewayPipelineTests.order(alice, sellId, status: "NEW")
                guard let buyId = GatewayPipelineTests.orderId(try await bob.send("POST", "/v1/orders", body: buyBody, headers: retryKey)) else { return }
                _ = try await GatewayPipelineTests.order(bob, buyId, status: "FILLED")
                first.withLock { $0 = buyId }
            }
            guard let buyId = first.withLock({ $0 }) else { return }

            try await withGatewayService(kafka: settings.kafka, partitions: GatewayPipelineTests.partitions) { _, alice, bob in
                // Fresh liquidity a second copy of the buy would trade with.
                guard let bait = GatewayPipelineTests.orderId(try await alice.send("POST", "/v1/orders", body: sellBody)) else { return }
                _ = try await GatewayPipelineTests.order(alice, bait, status: "NEW")

                let retry = try await bob.send("POST", "/v1/orders", body: buyBody, headers: retryKey)
                #expect(retry.status == 202, "\(retry.text)")
                #expect(retry.json?["data"]?["order_id"] == .string(buyId), "a retry after the restart carries the first order id")

                // Whatever the retry did, a copy of the order in the log is refused downstream.
                let copy = NewOrder(
                    orderId: buyId, traderId: "bob", stockSymbol: "AAPL", side: .buy, orderType: .limit, price: FixedDecimal("160.25"),
                    quantity: 10, timeInForce: .goodTillCanceled, timestamp: Int64(Date().timeIntervalSince1970 * 1000))
                let producer = try await KafkaProducer(configuration: settings.producerConfiguration)
                let report = try await producer.sendAndAwait(KafkaProducerMessage(
                    topic: Topology.incomingOrders.name, key: "AAPL", value: IncomingOrder.new(copy).encoded()))
                #expect(report.error == nil)
                await producer.close()

                let refused = try await eventually("the duplicate refused in the order's history") {
                    let data = try await bob.send("GET", "/v1/orders/\(buyId)").json?["data"]
                    guard case .array(let history)? = data?["history"] else { return nil as JSONValue? }
                    return history.contains { $0["status"] == .string("REQUEST_REJECTED") } ? data : nil
                }
                #expect(refused["status"] == .string("FILLED"))
                #expect(refused["filled_quantity"] == .int(10))
                if case .array(let history)? = refused["history"],
                   case .string(let reason)? = history.first(where: { $0["status"] == .string("REQUEST_REJECTED") })?["status_message"] {
                    #expect(reason.contains("DUPLICATE_ORDER_ID"), "\(reason)")
                } else {
                    Issue.record("no reason on the refused duplicate: \(refused.serialized())")
                }
                if case .array(let fills)? = refused["fills"] { #expect(fills.count == 1) } else { Issue.record("no fills") }
                let untouched = try await alice.send("GET", "/v1/orders/\(bait)").json?["data"]
                #expect(untouched?["status"] == .string("NEW"))
                #expect(untouched?["filled_quantity"] == .int(0))
                if case .array(let trades)? = try await bob.send("GET", "/v1/trades").json?["data"] {
                    #expect(trades.count == 1, "one trade for bob, not two")
                } else {
                    Issue.record("no trades array for bob")
                }
            }
        }
    }
}
