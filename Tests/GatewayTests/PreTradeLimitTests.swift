import ExchangeRecords
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Pre-trade limits per trader: each breach is a 422 naming its own reason before the order reaches Kafka; room
/// comes back when the engine's reports finish orders.
@Suite(.timeLimit(.minutes(3))) struct PreTradeLimitTests {
    static func buy(_ price: String, _ quantity: Int, symbol: String = "AAPL") -> String {
        #"{"symbol":"\#(symbol)","side":"BUY","order_type":"LIMIT","price":\#(price),"quantity":\#(quantity),"validity":"GTC"}"#
    }

    @Test(arguments: [true, false])
    func eachLimitRefusesWithItsOwnReason(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(
            sink: sink, fastOrderPath: fastOrderPath,
            limits: PreTradeLimits(maxOpenOrders: 3, maxOrderNotionalMicros: 10_000_000_000, maxOpenNotionalMicros: 20_000_000_000))
        try await gateway.application().test(.router) { client in
            // 160 × 100 = 16,000 > 10,000
            let large = try await client.send(.post, "/v1/orders", body: Self.buy("160", 100))
            #expect(large.status == .unprocessableContent)
            #expect(String(buffer: large.body).contains("MAX_ORDER_NOTIONAL"))
            // 9,600 + 9,600 open in AAPL, then 9,600 more would be 28,800 > 20,000
            let first = try await client.place(Self.buy("160", 60))
            _ = try await client.place(Self.buy("160", 60))
            let third = try await client.send(.post, "/v1/orders", body: Self.buy("160", 60))
            #expect(third.status == .unprocessableContent)
            #expect(String(buffer: third.body).contains("MAX_OPEN_NOTIONAL"))
            // Another symbol has its own open notional, but the open-order count is per trader.
            _ = try await client.place(Self.buy("250", 10, symbol: "MSFT"))
            let fourth = try await client.send(.post, "/v1/orders", body: Self.buy("250", 10, symbol: "MSFT"))
            #expect(fourth.status == .unprocessableContent)
            #expect(String(buffer: fourth.body).contains("MAX_OPEN_ORDERS"))
            // Bob is not limited by Alice's orders.
            _ = try await client.place(Self.buy("160", 60), key: Keys.bob)
            #expect(sink.count == 4, "refused orders must not reach the log")
            // The engine fills Alice's first order: room for one more.
            gateway.readModel.apply(report(first, status: "NEW", price: 160_000_000, quantity: 60, leaves: 60, seq: 1))
            gateway.readModel.apply(report(
                first, status: "FILLED", price: 160_000_000, quantity: 60, filled: 60, leaves: 0, lastPrice: 160_000_000, lastQuantity: 60,
                tradeId: "t-1", seq: 2))
            #expect(gateway.readModel.exposure(trader: "alice").openOrders == 2)
            _ = try await client.place(Self.buy("160", 60))
            #expect(sink.count == 5)
        }
    }
}
