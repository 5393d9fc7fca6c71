import ExchangeRecords
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The Kite Connect layer in process (the official client's end-to-end run is DeploymentTests' KiteSandboxTests):
/// credentials, form bodies, refusals of what the engine does not have, the order and trade shapes from the read
/// model, positions and margins from fills, and the ticker's binary packets.
@Suite struct KiteAPITests {
    static func kite(_ key: String = Keys.alice, form: Bool = false) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "token any-app:\(key)", HTTPField.Name("X-Kite-Version")!: "3"]
        if form { fields[.contentType] = "application/x-www-form-urlencoded" }
        return fields
    }

    static func post(_ client: some TestClientProtocol, _ uri: String, _ form: String, key: String = Keys.alice) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: kite(key, form: true), body: ByteBuffer(string: form))
    }

    @Test func credentialsAreKitesAndFailuresAre403TokenExceptions() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            let ok = try await client.execute(uri: "/user/profile", method: .get, headers: Self.kite())
            #expect(ok.status == .ok)
            #expect(ok.data["user_id"] == .string("alice"))
            for headers: HTTPFields in [[:], [.authorization: "Bearer \(Keys.alice)"], [.authorization: "token \(Keys.alice)"], Self.kite("wrong")] {
                let refused = try await client.execute(uri: "/orders", method: .get, headers: headers)
                #expect(refused.status == .forbidden, "\(headers)")
                #expect(refused.json["error_type"] == .string("TokenException"))
            }
        }
    }

    @Test func loginChecksTheChecksumAndIssuesASessionUntilLogout() async throws {
        var configuration = makeGateway().configuration
        configuration.kite.apps = ["app": "secret"]
        let gateway = Gateway(configuration: configuration, instruments: testInstruments, sink: RecordingSink())
        try await gateway.application().test(.router) { client in
            let checksum = APIKeyStore.digest(of: "app" + Keys.alice + "secret")
            let wrong = try await client.execute(
                uri: "/session/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "api_key=app&request_token=\(Keys.alice)&checksum=\(String(repeating: "0", count: 64))"))
            #expect(wrong.status == .forbidden)
            let login = try await client.execute(
                uri: "/session/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "api_key=app&request_token=\(Keys.alice)&checksum=\(checksum)"))
            #expect(login.status == .ok, "\(String(buffer: login.body))")
            guard case .string(let token)? = login.data["access_token"] else { Issue.record("no access_token"); return }
            #expect(login.data["user_id"] == .string("alice"))
            let headers: HTTPFields = [.authorization: "token app:\(token)"]
            #expect(try await client.execute(uri: "/orders", method: .get, headers: headers).status == .ok)
            // Another app's key with this session, and an app that is not configured, are refused.
            #expect(try await client.execute(uri: "/orders", method: .get, headers: [.authorization: "token other:\(token)"]).status == .forbidden)
            let logout = try await client.execute(uri: "/session/token?api_key=app&access_token=\(token)", method: .delete, headers: headers)
            #expect(logout.status == .ok)
            #expect(try await client.execute(uri: "/orders", method: .get, headers: headers).status == .forbidden)
        }
    }

    @Test func ordersAreFormEncodedAndWhatTheEngineLacksIsRefusedByName() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let base = "exchange=NASDAQ&tradingsymbol=AAPL&transaction_type=BUY&quantity=10&product=CNC"
            let placed = try await Self.post(client, "/orders/regular", base + "&order_type=LIMIT&price=160.25&tag=strat%2D1")
            #expect(placed.status == .ok, "\(String(buffer: placed.body))")
            guard case .new(let order)? = sink.last else { Issue.record("no order written"); return }
            #expect(placed.data["order_id"] == .string(order.orderId))
            #expect(order.stockSymbol == "AAPL" && order.side == .buy && order.quantity == 10 && order.price?.micros == 160_250_000)
            #expect(order.traderId == "alice" && order.timeInForce == .day)
            let market = try await Self.post(client, "/orders/regular", base + "&order_type=MARKET&price=0")
            #expect(market.status == .ok, "\(String(buffer: market.body))")

            let refusals: [(uri: String, form: String, words: [String])] = [
                ("/orders/amo", base + "&order_type=LIMIT&price=160", ["amo"]),
                ("/orders/co", base + "&order_type=LIMIT&price=160", ["'co'"]),
                ("/orders/iceberg", base + "&order_type=LIMIT&price=160&iceberg_legs=2", ["iceberg"]),
                ("/orders/regular", base + "&order_type=SL&price=160&trigger_price=159", ["SL"]),
                ("/orders/regular", base + "&order_type=SL-M&trigger_price=159", ["SL-M"]),
                ("/orders/regular", base + "&order_type=LIMIT&price=160&disclosed_quantity=5", ["disclosed"]),
                ("/orders/regular", base + "&order_type=LIMIT&price=160.001", ["tick size"]),
                ("/orders/regular", "exchange=NSE&tradingsymbol=AAPL&transaction_type=BUY&quantity=1&product=CNC&order_type=LIMIT&price=160", ["NASDAQ"]),
                ("/orders/regular", base + "&order_type=LIMIT", ["price"]),
                ("/orders/regular", base.replacingOccurrences(of: "CNC", with: "XYZ") + "&order_type=LIMIT&price=160", ["product"]),
                ("/orders/regular", base + "&order_type=LIMIT&price=1e2", ["price"]),
            ]
            for refusal in refusals {
                let response = try await Self.post(client, refusal.uri, refusal.form)
                #expect(response.status == .badRequest, "\(refusal.form): \(String(buffer: response.body))")
                #expect(response.json["error_type"] == .string("InputException"))
                guard case .string(let message)? = response.json["message"] else { continue }
                for word in refusal.words { #expect(message.contains(word), "\(refusal.form): \(message)") }
            }
            #expect(sink.count == 2)
        }
    }

    @Test func ordersTradesPositionsAndMarginsFollowTheReadModel() async throws {
        var configuration = makeGateway().configuration
        configuration.kite.startingCashMicros = 10_000 * 1_000_000
        let gateway = Gateway(configuration: configuration, instruments: testInstruments, sink: RecordingSink())
        let model = gateway.readModel
        model.apply(report("o1", status: "NEW", price: 160_000_000, quantity: 10, leaves: 10, seq: 1))
        model.apply(report("o1", status: "PARTIALLY_FILLED", price: 160_000_000, quantity: 10, filled: 4, leaves: 6,
                           lastPrice: 160_000_000, lastQuantity: 4, tradeId: "t1", seq: 2))
        model.apply(TradeEvent(
            tradeId: "t1", symbol: "AAPL", priceMicros: 160_000_000, quantity: 4, buyOrderId: "o1", sellOrderId: "s1",
            buyTraderId: "alice", sellTraderId: "bob", aggressorSide: "SELL", tradeTime: 1_700_000_000_000, seq: 1))
        model.apply(report("o1", status: "CANCELED", price: 160_000_000, quantity: 10, filled: 4, leaves: 0, seq: 3))
        model.apply(TradeEvent(
            tradeId: "t2", symbol: "AAPL", priceMicros: 165_000_000, quantity: 1, buyOrderId: "x", sellOrderId: "y",
            buyTraderId: "carol", sellTraderId: "dave", aggressorSide: "BUY", tradeTime: 1_700_000_001_000, seq: 2))
        try await gateway.application().test(.router) { client in
            let orders = try await client.execute(uri: "/orders", method: .get, headers: Self.kite()).data
            let o = orders[index: 0]
            #expect(o?["status"] == .string("CANCELLED") && o?["filled_quantity"] == .int(4) && o?["cancelled_quantity"] == .int(6))
            #expect(o?["average_price"] == .micros(160_000_000) && o?["tradingsymbol"] == .string("AAPL") && o?["exchange"] == .string("NASDAQ"))
            #expect(o?["order_timestamp"] == .string("2023-11-14 22:13:20"))
            let history = try await client.execute(uri: "/orders/o1", method: .get, headers: Self.kite()).data
            guard case .array(let states) = history else { Issue.record("no history"); return }
            #expect(states.map { $0["status"] } == [.string("OPEN"), .string("OPEN"), .string("CANCELLED")])
            let trades = try await client.execute(uri: "/orders/o1/trades", method: .get, headers: Self.kite()).data
            #expect(trades[index: 0]?["trade_id"] == .string("t1") && trades[index: 0]?["quantity"] == .int(4) && trades[index: 0]?["fill_timestamp"] == .string("2023-11-14 22:13:20"))

            // Bought 4 @ 160, marked at the last trade, 165: P&L +20; cash 10,000 − 640.
            let positions = try await client.execute(uri: "/portfolio/positions", method: .get, headers: Self.kite()).data
            let p = positions["net"]?[index: 0]
            #expect(p?["quantity"] == .int(4) && p?["average_price"] == .micros(160_000_000) && p?["last_price"] == .micros(165_000_000))
            #expect(p?["pnl"] == .micros(20_000_000) && p?["unrealised"] == .micros(20_000_000) && p?["realised"] == .micros(0))
            let margins = try await client.execute(uri: "/user/margins", method: .get, headers: Self.kite()).data
            #expect(margins["equity"]?["net"] == .micros(9_360_000_000))
            let bob = try await client.execute(uri: "/portfolio/positions", method: .get, headers: Self.kite(Keys.bob)).data
            #expect(bob["net"]?[index: 0]?["quantity"] == .int(-4) && bob["net"]?[index: 0]?["pnl"] == .micros(-20_000_000))

            let quote = try await client.execute(uri: "/quote?i=NASDAQ:AAPL&i=NASDAQ:NOPE", method: .get, headers: Self.kite()).data
            #expect(quote["NASDAQ:AAPL"]?["last_price"] == .micros(165_000_000) && quote["NASDAQ:NOPE"] == nil)
            #expect(quote["NASDAQ:AAPL"]?["volume"] == .int(5))
        }
    }

    /// The documented token rule, computed here independently: FNV-1a of `EXCHANGE:SYMBOL` in 23 bits, shifted
    /// over the segment byte 1.
    static func documentedToken(_ exchange: String, _ symbol: String) -> (token: UInt32, exchangeToken: UInt32) {
        var hash: UInt32 = 0x811C_9DC5
        for byte in "\(exchange):\(symbol)".utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        let exchangeToken = max(1, hash & 0x7F_FFFF)
        return (exchangeToken << 8 | 1, exchangeToken)
    }

    @Test func instrumentTokensFollowTheDocumentedRuleAndTheCSVQuotesNames() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            let csv = try await client.execute(uri: "/instruments/NASDAQ", method: .get, headers: Self.kite())
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = String(buffer: csv.body).split(separator: "\n").map(String.init)
            #expect(lines.first == "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange")
            let tsla = Self.documentedToken("NASDAQ", "TSLA")
            #expect(lines.contains("\(tsla.token),\(tsla.exchangeToken),TSLA,\"Tesla, Inc.\",760,,0,0.05,1,EQ,NASDAQ,NASDAQ"), "\(lines)")
            #expect(lines.count == testInstruments.filter { $0.exchange == "NASDAQ" }.count + 1)
            let all = try await client.execute(uri: "/instruments", method: .get, headers: Self.kite())
            #expect(String(buffer: all.body).split(separator: "\n").count == testInstruments.count + 1)
            let none = try await client.execute(uri: "/instruments/NSE", method: .get, headers: Self.kite())
            #expect(String(buffer: none.body).split(separator: "\n").count == 1)
            let ltp = try await client.execute(uri: "/quote/ltp?i=\(tsla.token)", method: .get, headers: Self.kite()).data
            #expect(ltp["\(tsla.token)"]?["last_price"] == .micros(760_000_000))
        }
    }
}

extension JSONValue {
    /// The element at `index` of an array.
    subscript(index index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
