import ExchangeRecords
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(3))) struct GatewayHTTPTests {
    @Test func placedOrderShowsFillsAndFilledStatus() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let id = try await client.place(aliceBuy)
            guard case .new(let order)? = sink.last else { Issue.record("nothing produced"); return }
            #expect(order.orderId == id)
            #expect(order.traderId == "alice")
            #expect(order.price == FixedDecimal("160.25"))
            #expect(order.quantity == 10)
            #expect(order.timeInForce == .goodTillCanceled)

            let pending = try await client.send(.get, "/v1/orders/\(id)")
            #expect(pending.data["status"] == .string("PENDING"))

            // The engine's reports and the trade, as the stages would write them.
            gateway.readModel.apply(report(id, status: "NEW", seq: 1))
            gateway.readModel.apply(report(id, status: "PARTIALLY_FILLED", filled: 4, leaves: 6, lastPrice: 160_250_000, lastQuantity: 4, tradeId: "t-1", seq: 2))
            gateway.readModel.apply(report(id, status: "FILLED", filled: 10, leaves: 0, lastPrice: 160_000_000, lastQuantity: 6, tradeId: "t-2", seq: 3))
            gateway.readModel.apply(TradeEvent(
                tradeId: "t-2", symbol: "AAPL", priceMicros: 160_000_000, quantity: 6, buyOrderId: id, sellOrderId: "s-1",
                buyTraderId: "alice", sellTraderId: "bob", aggressorSide: "BUY", tradeTime: 1_700_000_000_000, seq: 1))

            let filled = try await client.send(.get, "/v1/orders/\(id)")
            #expect(filled.status == .ok)
            #expect(filled.data["status"] == .string("FILLED"))
            #expect(filled.data["filled_quantity"] == .number("10"))
            #expect(filled.data["average_price"] == .number("160.1"))
            guard case .array(let fills)? = filled.data["fills"], case .array(let history)? = filled.data["history"] else {
                Issue.record("no fills/history"); return
            }
            #expect(fills.count == 2)
            #expect(history.map { $0["status"] } == ["PENDING", "NEW", "PARTIALLY_FILLED", "FILLED"].map { .string($0) })

            let trades = try await client.send(.get, "/v1/trades")
            #expect(trades.data == .array([.object([
                ("trade_id", .string("t-2")), ("order_id", .string(id)), ("symbol", .string("AAPL")), ("side", .string("BUY")),
                ("price", .number("160")), ("quantity", .number("6")), ("aggressor_side", .string("BUY")),
                ("fill_timestamp", .number("1700000000000")),
            ])]))
            let bobTrades = try await client.send(.get, "/v1/trades", key: Keys.bob)
            guard case .array(let bobs) = bobTrades.data else { Issue.record("no trades for bob"); return }
            #expect(bobs.first?["side"] == .string("SELL"))

            let quote = try await client.send(.get, "/v1/quote/AAPL")
            #expect(quote.data["last_price"] == .number("160"))
            #expect(quote.data["volume"] == .number("6"))
        }
    }

    @Test func depthAndBestBidOfferFollowRestingOrders() async throws {
        let gateway = makeGateway()
        let model = gateway.readModel
        model.apply(report("b1", status: "NEW", price: 159_000_000, quantity: 5, leaves: 5, seq: 1))
        model.apply(report("b2", status: "NEW", price: 159_000_000, quantity: 7, leaves: 7, seq: 2))
        model.apply(report("b3", status: "NEW", price: 158_500_000, quantity: 1, leaves: 1, seq: 3))
        model.apply(report("s1", trader: "bob", side: "SELL", status: "NEW", price: 161_000_000, quantity: 3, leaves: 3, seq: 4))
        model.apply(report("b2", status: "PARTIALLY_FILLED", price: 159_000_000, quantity: 7, filled: 2, leaves: 5, seq: 5))
        model.apply(report("b3", status: "CANCELED", price: 158_500_000, quantity: 1, leaves: 0, seq: 6))
        try await gateway.application().test(.router) { client in
            let quote = try await client.send(.get, "/v1/quote/AAPL").data
            #expect(quote["best_bid"] == .object([("price", .number("159")), ("quantity", .number("10"))]))
            #expect(quote["best_ask"] == .object([("price", .number("161")), ("quantity", .number("3"))]))
            guard case .array(let bids)? = quote["depth"]?["buy"] else { Issue.record("no depth"); return }
            #expect(bids.count == 1)
            #expect(bids.first?["orders"] == .number("2"))
            let unknown = try await client.send(.get, "/v1/quote/NOPE")
            #expect(unknown.status == .notFound)
        }
    }

    /// An order another producer placed without a trader is in the book, and no trader sees, cancels or modifies it.
    @Test func unattributedOrdersShowInTheBookOnly() async throws {
        let gateway = makeGateway()
        let record = ExecutionReport(
            orderId: "u1", traderId: nil, symbol: "AAPL", side: .sell, orderType: .limit, timeInForce: .day, status: .new,
            price: FixedDecimal("161"), quantity: 4, filledQuantity: 0, leavesQuantity: 4, seq: 1, orderTimestamp: 5, timestamp: 5)
        let applied = record.encoded().withUnsafeBytes {
            ReadModelFeeder.apply(topic: Topology.executionReports.name, partition: 0, bytes: $0, to: gateway.readModel)
        }
        #expect(applied)
        try await gateway.application().test(.router) { client in
            let quote = try await client.send(.get, "/v1/quote/AAPL").data
            #expect(quote["best_ask"] == .object([("price", .number("161")), ("quantity", .number("4"))]))
            #expect(try await client.send(.get, "/v1/orders/u1").status == .notFound)
            #expect(try await client.send(.delete, "/v1/orders/u1").status == .notFound)
            #expect(try await client.send(.put, "/v1/orders/u1", body: #"{"quantity":2}"#).status == .notFound)
        }
    }

    @Test func redeliveredReportsAreAppliedOnce() async throws {
        let model = makeGateway().readModel
        model.apply(report("x", status: "NEW", seq: 1))
        model.apply(report("x", status: "FILLED", filled: 10, leaves: 0, lastPrice: 160_250_000, lastQuantity: 10, seq: 2))
        model.apply(report("x", status: "FILLED", filled: 10, leaves: 0, lastPrice: 160_250_000, lastQuantity: 10, seq: 2))
        guard case .array(let fills)? = model.order("x", trader: "alice")?["fills"] else { Issue.record("no order"); return }
        #expect(fills.count == 1)
        #expect(model.counts.duplicatesDropped == 1)
    }

    @Test func ttlOrderCarriesMinutesAndShowsExpiry() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let id = try await client.place(#"{"symbol":"TSLA","side":"SELL","order_type":"LIMIT","price":761.5,"quantity":3,"validity":"TTL","validity_ttl":2}"#)
            guard case .new(let order)? = sink.last else { Issue.record("nothing produced"); return }
            #expect(order.timeInForce == .timeToLive)
            #expect(order.validityTTL == 2)
            gateway.readModel.apply(report(id, symbol: "TSLA", side: "SELL", status: "NEW", price: 761_500_000, quantity: 3, leaves: 3, seq: 1))
            gateway.readModel.apply(report(id, symbol: "TSLA", side: "SELL", status: "EXPIRED", price: 761_500_000, quantity: 3, leaves: 0, reason: "TTL of 2 minutes elapsed", seq: 2, time: order.timestamp + 120_000))
            let expired = try await client.send(.get, "/v1/orders/\(id)")
            #expect(expired.data["status"] == .string("EXPIRED"))
            #expect(expired.data["validity"] == .string("TTL"))
            #expect(expired.data["validity_ttl"] == .number("2"))
            // An expired order can no longer be cancelled.
            let cancel = try await client.send(.delete, "/v1/orders/\(id)")
            #expect(cancel.status == .conflict)
        }
    }

    @Test func gtdOrderCarriesItsInstant() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let id = try await client.place(#"{"symbol":"TSLA","side":"SELL","order_type":"LIMIT","price":761.5,"quantity":3,"validity":"GTD","expire_at":4102444800000}"#)
            guard case .new(let order)? = sink.last else { Issue.record("nothing produced"); return }
            #expect(order.timeInForce == .goodTillDate)
            #expect(order.expireAt == 4_102_444_800_000)
            #expect(IncomingOrder.new(order).jsonString.contains(#""time_in_force":"GTD","expire_at":4102444800000"#))
            let placed = try await client.send(.get, "/v1/orders/\(id)")
            #expect(placed.data["validity"] == .string("GTD"))
            #expect(placed.data["expire_at"] == .number("4102444800000"))
        }
    }

    @Test func ownerCancelsAndModifies() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let id = try await client.place(aliceBuy)
            let modify = try await client.send(.put, "/v1/orders/\(id)", body: #"{"price":160.5,"quantity":8}"#)
            #expect(modify.status == .accepted)
            #expect(modify.data["status"] == .string("MODIFY_PENDING"))
            guard case .modify(let m)? = sink.last else { Issue.record("no modify produced"); return }
            #expect([m.orderId, m.traderId, m.stockSymbol] == [id, "alice", "AAPL"])
            #expect(m.side == .buy && m.price == FixedDecimal("160.5") && m.quantity == 8)

            let offTick = try await client.send(.put, "/v1/orders/\(id)", body: #"{"price":160.001}"#)
            #expect(offTick.status == .badRequest)
            #expect(offTick.json["field"] == .string("price"))

            let cancel = try await client.send(.delete, "/v1/orders/\(id)")
            #expect(cancel.status == .accepted)
            guard case .cancel(let c)? = sink.last else { Issue.record("no cancel produced"); return }
            #expect(c.orderId == id)
            #expect(sink.count == 3)
        }
    }

    @Test func anotherTradersOrderIsNeverVisible() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let id = try await client.place(aliceBuy)
            for (method, body) in [(HTTPRequest.Method.get, nil), (.delete, nil), (.put, #"{"quantity":1}"#)] as [(HTTPRequest.Method, String?)] {
                let response = try await client.send(method, "/v1/orders/\(id)", key: Keys.bob, body: body)
                #expect(response.status == .notFound, "\(method)")
                #expect(!String(buffer: response.body).contains("alice"))
            }
            let bobOrders = try await client.send(.get, "/v1/orders", key: Keys.bob)
            #expect(bobOrders.data == .array([]))
            #expect(sink.count == 1)
        }
    }

    @Test func authenticationIsRequired() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            let none = try await client.send(.get, "/v1/orders", key: nil)
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate] != nil)
            #expect(none.json["error_type"] == .string("TokenException"))
            let wrong = try await client.send(.get, "/v1/orders", key: "not-a-key")
            #expect(wrong.status == .unauthorized)
            let basic = try await client.execute(uri: "/v1/orders", method: .get, headers: [.authorization: "Basic YWxpY2U6eA=="])
            #expect(basic.status == .unauthorized)
            // The scheme is case-insensitive and blanks around the token are ignored; a bare scheme is no credential.
            let relaxed = try await client.execute(uri: "/v1/orders", method: .get, headers: [.authorization: "  bEARER \t\(Keys.alice) "])
            #expect(relaxed.status == .ok)
            for value in ["Bearer", "Bearer   ", "Bearer\t\(Keys.alice)", "Bearerx \(Keys.alice)", "Bearer \(Keys.alice)x"] {
                let refused = try await client.execute(uri: "/v1/orders", method: .get, headers: [.authorization: value])
                #expect(refused.status == .unauthorized, "Authorization: \(value)")
            }
            let post = try await client.send(.post, "/v1/orders", key: nil, body: aliceBuy)
            #expect(post.status == .unauthorized)

            let now = Int64(Date().timeIntervalSince1970)
            let valid = JWTVerifier.signHS256(claims: .object([("sub", .string("carol")), ("exp", .int(now + 60))]), secret: Keys.jwtSecret)
            #expect(try await client.send(.get, "/v1/orders", key: valid).status == .ok)
            let expired = JWTVerifier.signHS256(claims: .object([("sub", .string("carol")), ("exp", .int(now - 3600))]), secret: Keys.jwtSecret)
            #expect(try await client.send(.get, "/v1/orders", key: expired).status == .unauthorized)
            let forged = JWTVerifier.signHS256(claims: .object([("sub", .string("carol")), ("exp", .int(now + 60))]), secret: Array("other".utf8))
            #expect(try await client.send(.get, "/v1/orders", key: forged).status == .unauthorized)
            let parts = valid.split(separator: ".")
            let unsigned = JWTVerifierTestHelper.noneToken(sub: "carol", exp: now + 60) + "." + parts[2]
            #expect(try await client.send(.get, "/v1/orders", key: unsigned).status == .unauthorized)

            // Public routes need no key.
            #expect(try await client.send(.get, "/v1/health", key: nil).status == .ok)
        }
    }

    @Test func idempotentRetryPlacesOneOrder() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "retry-1"]
            let first = try await client.send(.post, "/v1/orders", body: aliceBuy, headers: key)
            let second = try await client.send(.post, "/v1/orders", body: aliceBuy, headers: key)
            #expect(first.status == .accepted && second.status == .accepted)
            #expect(String(buffer: first.body) == String(buffer: second.body))
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(sink.count == 1)
            // The key is per trader: bob's request with the same key is his own order.
            _ = try await client.send(.post, "/v1/orders", key: Keys.bob, body: aliceBuy, headers: key)
            #expect(sink.count == 2)

            let withClientId = #"{"symbol":"FB","side":"SELL","order_type":"MARKET","quantity":5,"validity":"IOC","client_order_id":"c-42"}"#
            let a = try await client.send(.post, "/v1/orders", body: withClientId)
            let b = try await client.send(.post, "/v1/orders", body: withClientId)
            #expect(a.data["order_id"] == b.data["order_id"])
            #expect(a.data["client_order_id"] == .string("c-42"))
            #expect(sink.count == 3)
        }
    }

    @Test func idempotentOrderIdIsTheSameOnEveryGatewayInstance() async throws {
        let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "retry-9"]
        // Two instances with empty memories (a restart, or two gateways behind a load balancer).
        let placedIds = Mutex<[JSONValue?]>([])
        for _ in 0..<2 {
            let sink = RecordingSink()
            try await makeGateway(sink: sink).application().test(.router) { client in
                let placed = try await client.send(.post, "/v1/orders", body: aliceBuy, headers: key)
                #expect(placed.status == .accepted)
                #expect(sink.count == 1)
                #expect(placed.data["order_id"] == .string(sink.last?.orderId ?? "none"))
                placedIds.withLock { $0.append(placed.data["order_id"]) }
            }
        }
        let ids = placedIds.withLock { $0 }
        #expect(ids.count == 2 && ids[0] == ids[1] && ids[0] != nil)
        guard case .string(let id)?? = ids.first else { return }

        // An instance whose read model already has the order answers the retry without placing anything.
        let sink = RecordingSink()
        let restarted = makeGateway(sink: sink)
        restarted.readModel.apply(report(id, status: "FILLED", filled: 10, leaves: 0, seq: 1))
        try await restarted.application().test(.router) { client in
            // The same key for a different order is refused, naming the key: known from the read model here,
            // from the in-memory answer after the retry below.
            let googBuy = aliceBuy.replacingOccurrences(of: "AAPL", with: "GOOG").replacingOccurrences(of: "160.25", with: "1165")
            let other = try await client.send(.post, "/v1/orders", body: googBuy, headers: key)
            #expect(other.status == .unprocessableContent, "\(String(buffer: other.body))")
            #expect(other.json["field"] == .string("Idempotency-Key"))

            let retry = try await client.send(.post, "/v1/orders", body: aliceBuy, headers: key)
            #expect(retry.status == .accepted)
            #expect(retry.data["order_id"] == .string(id))
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let smaller = try await client.send(.post, "/v1/orders", body: aliceBuy.replacingOccurrences(of: ":10,", with: ":5,"), headers: key)
            #expect(smaller.status == .unprocessableContent, "\(String(buffer: smaller.body))")
            #expect(sink.count == 0)
            // Another trader's key of the same name is another order id.
            let bobs = try await client.send(.post, "/v1/orders", key: Keys.bob, body: aliceBuy, headers: key)
            #expect(bobs.status == .accepted)
            #expect(bobs.data["order_id"] != .string(id))
            #expect(sink.count == 1)
            // Without a key every order gets a fresh random id.
            let a = try await client.send(.post, "/v1/orders", body: aliceBuy)
            let b = try await client.send(.post, "/v1/orders", body: aliceBuy)
            #expect(a.data["order_id"] != b.data["order_id"])
        }
    }

    @Test func unavailableLogAnswers503AndRetryCanSucceed() async throws {
        let sink = RecordingSink()
        sink.failing.withLock { $0 = true }
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "k-503"]
            let down = try await client.send(.post, "/v1/orders", body: aliceBuy, headers: key)
            #expect(down.status == .serviceUnavailable)
            #expect(down.json["error_type"] == .string("NetworkException"))
            sink.failing.withLock { $0 = false }
            let up = try await client.send(.post, "/v1/orders", body: aliceBuy, headers: key)
            #expect(up.status == .accepted)
            #expect(sink.count == 1)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        // A refill so slow (one token per 1,000 s) that no token comes back however slowly the machine runs the test.
        let gateway = makeGateway(rate: 0.001, burst: 2)
        try await gateway.application().test(.router) { client in
            #expect(try await client.send(.get, "/v1/orders").status == .ok)
            #expect(try await client.send(.get, "/v1/orders").status == .ok)
            let limited = try await client.send(.get, "/v1/orders")
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // Another trader has their own bucket.
            #expect(try await client.send(.get, "/v1/orders", key: Keys.bob).status == .ok)
        }
    }

    @Test func openAPIDocumentMatchesTheRoutes() async throws {
        let gateway = makeGateway()
        // The API under the prefix; the Kite Connect routes at the root follow Kite's own contract (docs/kite-sandbox.md)
        // and the trading screen's files (`/`, `/ui/…`) are a page, not API operations.
        var withoutKite = gateway.configuration
        withoutKite.kite.enabled = false
        let kiteRoutes = Set(gateway.router().routes.map { "\($0.method.rawValue) \($0.path)" })
        let plain = Gateway(configuration: withoutKite, instruments: testInstruments, sink: RecordingSink()).router().routes
        let routes = Set(plain.filter { $0.path.description.hasPrefix("/v1") }.map { "\($0.method.rawValue) \($0.path)" })
        #expect(kiteRoutes.subtracting(plain.map { "\($0.method.rawValue) \($0.path)" }).allSatisfy { !$0.contains(" /v1/") })
        #expect(plain.filter { !$0.path.description.hasPrefix("/v1") }.allSatisfy { $0.path.description == "/" || $0.path.description.hasPrefix("/ui/") })
        let documented = OpenAPIDocument.operations(prefix: "/v1")
        #expect(!routes.isEmpty)
        #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but not routed: \(documented.subtracting(routes).sorted())")
        try await gateway.application().test(.router) { client in
            let doc = try await client.send(.get, "/v1/openapi.json", key: nil)
            #expect(doc.status == .ok)
            #expect(doc.json["openapi"] == .string("3.1.0"))
        }
    }

    @Test func healthMetricsInstrumentsAndUnknownRoutes() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            _ = try await client.place(aliceBuy)
            let metrics = try await client.send(.get, "/v1/metrics", key: nil)
            let text = String(buffer: metrics.body)
            #expect(text.contains("exchange_gateway_orders_accepted_total 1"))
            #expect(text.contains(#"exchange_gateway_http_requests_total{method="POST",route="/v1/orders",status="202"} 1"#))
            let instruments = try await client.send(.get, "/v1/instruments")
            guard case .array(let list) = instruments.data else { Issue.record("no list"); return }
            let aapl = list.first { $0["symbol"] == .string("AAPL") }
            #expect(aapl?["tick_size"] == .number("0.01"))
            #expect(aapl?["lot_size"] == .number("1"))
            #expect(aapl?["last_price"] == .number("160"))
            let missing = try await client.send(.get, "/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.json["status"] == .string("error"))
        }
    }
}

import Foundation

enum JWTVerifierTestHelper {
    /// A token claiming `alg: none` (must never be accepted).
    static func noneToken(sub: String, exp: Int64) -> String {
        func b64(_ s: String) -> String {
            Data(s.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        return b64(#"{"alg":"none","typ":"JWT"}"#) + "." + b64(#"{"sub":"\#(sub)","exp":\#(exp)}"#)
    }
}

@Suite struct ReadModelRuleTests {
    @Test func refusedCancelLeavesTheOrderAsItWas() {
        let model = ReadModel()
        model.apply(report("f", status: "NEW", seq: 1))
        model.apply(report("f", status: "FILLED", filled: 10, leaves: 0, lastPrice: 160_250_000, lastQuantity: 10, tradeId: "t", seq: 2))
        // The trader's late cancel is refused by the engine.
        model.apply(report("f", status: "REJECTED", filled: 10, leaves: 0, reason: "order is not open", seq: 3))
        let view = model.order("f", trader: "alice")
        #expect(view?["status"] == .string("FILLED"))
        guard case .array(let history)? = view?["history"] else { Issue.record("no history"); return }
        #expect(history.last?["status"] == .string("REQUEST_REJECTED"))
        #expect(history.last?["status_message"] == .string("order is not open"))
    }

    @Test func rejectedNewOrderIsRejected() {
        let model = ReadModel()
        model.apply(report("r", status: "REJECTED", leaves: 0, reason: "price outside band", seq: 1))
        #expect(model.order("r", trader: "alice")?["status"] == .string("REJECTED"))
        #expect(model.order("r", trader: "bob") == nil)
    }
}

@Suite struct APIKeyStoreTests {
    @Test func hashedAndPlainKeysResolveToTheirTrader() throws {
        var store = APIKeyStore()
        try store.add(trader: "carol", digest: APIKeyStore.digest(of: "carol-key").uppercased())
        try store.addPairs("dave:dave-key, erin:erin-key", hashed: false)
        #expect(store.trader(forKey: "carol-key") == "carol")
        #expect(store.trader(forKey: "dave-key") == "dave")
        #expect(store.trader(forKey: "erin-key") == "erin")
        #expect(store.trader(forKey: "carol-key ") == nil)
        #expect(APIKeyStore.digest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(throws: ConfigurationError.self) { try store.add(trader: "x", digest: "not-hex") }
    }
}
