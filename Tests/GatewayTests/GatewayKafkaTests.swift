import ExchangeRecords
import Gateway
import GatewayClient
import Kafka
import KafkaEmbedded
import Synchronization
import Testing

/// The gateway as `exchange gateway` runs it: GatewayService against an embedded Kafka cluster.
@Suite(.serialized, .timeLimit(.minutes(3))) struct GatewayKafkaTests {
    /// Runs a GatewayService over a fresh embedded cluster for the duration of `body`.
    static func withService(_ body: @Sendable (EmbeddedKafka, GatewayClient, GatewayClient) async throws -> Void) async throws {
        let cluster = try EmbeddedKafka()
        defer { cluster.stop() }
        try await withGatewayService(kafka: cluster.configuration, embedded: cluster) { _, alice, bob in try await body(cluster, alice, bob) }
    }

    /// Every record currently in `topic` (all partitions, from the beginning).
    static func records(_ cluster: EmbeddedKafka, _ topic: String, partitions: Int) async throws -> [KafkaMessage] {
        var configuration = cluster.configuration
        configuration.groupId = "gateway-test-reader"
        let consumer = try await KafkaConsumer(configuration: configuration)
        var ends: [KafkaTopicPartition: Int64] = [:]
        var assignment: [KafkaTopicPartition: KafkaOffset] = [:]
        for p in 0..<partitions {
            let tp = KafkaTopicPartition(topic, Int32(p))
            ends[tp] = try await consumer.queryWatermarks(tp).high
            assignment[tp] = .beginning
        }
        var messages: [KafkaMessage] = []
        if ends.values.contains(where: { $0 > 0 }) {
            try await consumer.assign(assignment)
            var seen: [KafkaTopicPartition: Int64] = [:]
            for try await event in consumer.events {
                guard case .messages(let batch) = event else { continue }
                messages += batch
                for (tp, next) in batch.nextOffsets { seen[tp] = next }
                if ends.allSatisfy({ tp, end in (seen[tp] ?? 0) >= end }) { break }
            }
        }
        await consumer.close()
        return messages
    }

    static func produce(_ cluster: EmbeddedKafka, _ topic: String, key: String, _ values: [[UInt8]]) async throws {
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        for value in values {
            _ = try await producer.sendAndAwait(KafkaProducerMessage(topic: topic, partition: 0, key: key, value: value))
        }
        await producer.close()
    }

    @Test func orderReachesIncomingOrdersAndItsReportsComeBack() async throws {
        try await GatewayKafkaTests.withService { cluster, alice, bob in
            let placed = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.25,"quantity":10,"validity":"TTL","validity_ttl":5,"client_order_id":"k1"}"#)
            #expect(placed.status == 202, "\(placed.text)")
            guard case .string(let id)? = placed.json?["data"]?["order_id"] else { Issue.record("no id"); return }

            let logged = try await eventually("the order in incoming_orders") {
                let all = try await GatewayKafkaTests.records(cluster, Topology.incomingOrders.name, partitions: 2)
                return all.isEmpty ? nil : all
            }
            #expect(logged.count == 1)
            #expect(logged.first?.keyString == "AAPL")
            guard let value = logged.first?.value, case .new(let order) = try IncomingOrder.decode(json: value) else {
                Issue.record("not a new order"); return
            }
            #expect(order.orderId == id)
            #expect(order.traderId == "alice")
            #expect(order.price == FixedDecimal(micros: 160_250_000))
            #expect(order.timeInForce == .timeToLive && order.validityTTL == 5)
            #expect(order.clientOrderId == "k1")

            // The matcher's reports for this order, written to execution_reports.
            func report(_ status: OrderStatus, filled: Int64, seq: Int64, trade: String? = nil) -> [UInt8] {
                ExecutionReport(
                    orderId: id, clientOrderId: "k1", traderId: "alice", symbol: "AAPL", side: .buy, status: status, reason: nil,
                    price: FixedDecimal(micros: 160_250_000), quantity: 10, filledQuantity: filled, leavesQuantity: 10 - filled,
                    lastPrice: trade == nil ? nil : FixedDecimal(micros: 160_250_000), lastQuantity: trade == nil ? nil : filled,
                    tradeId: trade, seq: seq, timestamp: order.timestamp + seq
                ).encoded()
            }
            try await GatewayKafkaTests.produce(cluster, Topology.executionReports.name, key: "AAPL", [
                report(.new, filled: 0, seq: 1), report(.filled, filled: 10, seq: 2, trade: "0-1"),
            ])
            let filled = try await eventually("FILLED in GET /orders/{id}") {
                let response = try await alice.send("GET", "/v1/orders/\(id)")
                return response.json?["data"]?["status"] == .string("FILLED") ? response : nil
            }
            #expect(filled.json?["data"]?["filled_quantity"] == .number("10"))
            #expect(try await bob.send("GET", "/v1/orders/\(id)").status == 404)
        }
    }

    @Test func badInputNeverReachesIncomingOrders() async throws {
        try await GatewayKafkaTests.withService { cluster, alice, _ in
            let bodies = [
                #"{"symbol":"AAPL""#, #"{"symbol":"NOPE","side":"BUY","order_type":"LIMIT","price":160,"quantity":1}"#,
                #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.001,"quantity":1}"#,
                #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":0}"#,
                #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"TTL"}"#,
                #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"extra":true}"#,
            ]
            for body in bodies {
                let response = try await alice.send("POST", "/v1/orders", body: body)
                #expect(response.status == 400, "\(body)")
            }
            // A good order afterwards is the only record in the log.
            let good = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"GOOG","side":"SELL","order_type":"MARKET","quantity":2,"validity":"IOC"}"#)
            #expect(good.status == 202)
            let logged = try await eventually("the good order") {
                let all = try await GatewayKafkaTests.records(cluster, Topology.incomingOrders.name, partitions: 2)
                return all.isEmpty ? nil : all
            }
            #expect(logged.count == 1)
            #expect(logged.first?.keyString == "GOOG")
        }
    }

    /// By default a 202 means the order is in the log: with the broker down, the request waits instead of answering,
    /// and once the broker is back the answer comes and the record is already there. (With `--ack queued` the 202
    /// would come at once, and a gateway crashing before the broker returned would lose an answered order.)
    @Test func aTwoHundredTwoWaitsUntilTheOrderIsInTheLog() async throws {
        try await GatewayKafkaTests.withService { cluster, alice, _ in
            let first = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":150,"quantity":1}"#)
            #expect(first.status == 202, "\(first.text)")
            try cluster.setBrokerDown(1)
            let answered = Mutex(false)
            let pending = Task {
                defer { answered.withLock { $0 = true } }
                return try await alice.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":151,"quantity":3}"#)
            }
            // No answer while the broker is away (a queued-mode gateway answers within milliseconds).
            let deadline = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < deadline, !answered.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!answered.withLock { $0 }, "answered before the order reached the broker")
            try cluster.setBrokerUp(1)
            let second = try await pending.value
            #expect(second.status == 202, "\(second.text)")
            guard case .string(let id)? = second.json?["data"]?["order_id"] else { Issue.record("no id"); return }
            // Read right after the answer, without waiting: the record is there already.
            let ids = try await GatewayKafkaTests.loggedOrderIds(cluster)
            #expect(ids.contains(id), "order \(id) not in incoming_orders: \(ids)")
        }
    }

    /// With `--ack queued` the 202 comes before delivery; an order the producer then fails to deliver does not stay
    /// `PENDING` for ever: it turns `REJECTED` with `NOT_DELIVERED`, and is not in the log.
    @Test func aQueuedOrderThatIsNeverDeliveredIsRejected() async throws {
        let cluster = try EmbeddedKafka()
        defer { cluster.stop() }
        var kafka = cluster.configuration
        kafka.properties["message.timeout.ms"] = "1500"
        try await withGatewayService(kafka: kafka, embedded: cluster, configure: { $0.waitForAcknowledgement = false }) { _, alice, _ in
            let delivered = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":150,"quantity":1}"#)
            #expect(delivered.status == 202, "\(delivered.text)")
            guard case .string(let first)? = delivered.json?["data"]?["order_id"] else { Issue.record("no id: \(delivered.text)"); return }
            // Queued mode answers before delivery: the broker goes down only once the first order is in the log.
            _ = try await eventually("order \(first) in incoming_orders") { try await Self.loggedOrderIds(cluster).contains(first) ? true : nil }
            try cluster.setBrokerDown(1)
            let lost = try await alice.send("POST", "/v1/orders", body: #"{"symbol":"AAPL","side":"SELL","order_type":"LIMIT","price":151,"quantity":3}"#)
            #expect(lost.status == 202, "\(lost.text)")
            guard case .string(let id)? = lost.json?["data"]?["order_id"] else { Issue.record("no id: \(lost.text)"); return }
            let order = try await eventually("order \(id) rejected as not delivered", timeout: .seconds(30)) { () async throws -> JSONValue? in
                let answer = try await alice.send("GET", "/v1/orders/\(id)")
                guard let data = answer.json?["data"], data["status"] == .string("REJECTED") else { return nil }
                return data
            }
            #expect(order["status_message"] == .string("NOT_DELIVERED"), "\(order)")
            let metrics = try await alice.send("GET", "/v1/metrics")
            #expect(metrics.text.contains("exchange_gateway_orders_undelivered_total 1"), "\(metrics.text)")
            try cluster.setBrokerUp(1)
            #expect(try await Self.loggedOrderIds(cluster) == [first], "the order rejected as not delivered is in incoming_orders")
        }
    }

    /// The ids of the new orders in `incoming_orders`, in partition then offset order.
    static func loggedOrderIds(_ cluster: EmbeddedKafka) async throws -> [String] {
        try await records(cluster, Topology.incomingOrders.name, partitions: 2).compactMap { message -> String? in
            guard let value = message.value, case .new(let order)? = try? IncomingOrder.decode(json: value) else { return nil }
            return order.orderId
        }
    }
}
