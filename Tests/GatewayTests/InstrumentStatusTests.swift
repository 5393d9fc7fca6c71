import ExchangeRecords
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The gateway's instrument table follows the `instruments` topic's values: a listing trades at once, a halted or
/// delisted symbol's orders get a 400 naming the reason before anything reaches Kafka, GET /v1/instruments shows the
/// status, and WebSocket clients get the change.
@Suite(.timeLimit(.minutes(3))) struct InstrumentStatusTests {
    static func record(_ symbol: String, status: InstrumentStatus = .trading, reason: String? = nil) -> ExchangeRecords.Instrument {
        ExchangeRecords.Instrument(
            symbol: symbol, name: symbol, exchange: "XKFK", tickSize: FixedDecimal(micros: 10_000), lotSize: 1,
            lastPrice: FixedDecimal(micros: 500_000_000), priceBandLow: FixedDecimal(micros: 400_000_000),
            priceBandHigh: FixedDecimal(micros: 600_000_000), status: status, haltReason: reason)
    }

    static func order(_ symbol: String) -> String {
        #"{"symbol":"\#(symbol)","side":"BUY","order_type":"LIMIT","price":500,"quantity":1,"validity":"GTC"}"#
    }

    @Test func listingHaltResumeAndDelistingApplyToTheNextRequest() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        let listener = gateway.readModel.hub.connect(trader: "bob")
        try await gateway.application().test(.router) { client in
            let unknown = try await client.send(.post, "/v1/orders", body: Self.order("NVDA"))
            #expect(unknown.status == .badRequest)
            #expect(String(buffer: unknown.body).contains("unknown instrument 'NVDA'"))

            #expect(gateway.instruments.apply(Self.record("NVDA")) != nil)
            _ = try await client.place(Self.order("NVDA"))
            #expect(sink.count == 1)

            gateway.instruments.apply(Self.record("NVDA", status: .halted, reason: "news pending"))
            let halted = try await client.send(.post, "/v1/orders", body: Self.order("NVDA"))
            #expect(halted.status == .badRequest)
            #expect(halted.json["field"] == .string("symbol") || String(buffer: halted.body).contains("symbol"))
            #expect(String(buffer: halted.body).contains("HALTED"))
            #expect(String(buffer: halted.body).contains("news pending"))
            let list = try await client.send(.get, "/v1/instruments")
            guard case .array(let instruments) = list.data else { Issue.record("no instrument list"); return }
            let nvda = instruments.first { $0["symbol"] == .string("NVDA") }
            #expect(nvda?["status"] == .string("HALTED"))
            #expect(nvda?["halt_reason"] == .string("news pending"))
            #expect(instruments.first { $0["symbol"] == .string("AAPL") }?["status"] == .string("TRADING"))

            gateway.instruments.apply(Self.record("NVDA"))
            _ = try await client.place(Self.order("NVDA"))

            gateway.instruments.apply(Self.record("NVDA", status: .delisted))
            let delisted = try await client.send(.post, "/v1/orders", body: Self.order("NVDA"))
            #expect(delisted.status == .badRequest)
            #expect(String(buffer: delisted.body).contains("DELISTED"))
            let after = try await client.send(.get, "/v1/instruments")
            guard case .array(let remaining) = after.data else { Issue.record("no instrument list"); return }
            #expect(!remaining.contains { $0["symbol"] == .string("NVDA") })
            #expect(sink.count == 2, "refused orders must not reach the log")
        }
        // The same value again is no change: no frame for it.
        #expect(gateway.instruments.apply(Self.record("NVDA", status: .delisted)) == nil)
        gateway.readModel.hub.disconnect(listener.id)
        var frames: [String] = []
        for await frame in listener.frames { frames.append(frame) }
        #expect(frames.isEmpty, "the table alone does not publish; the follower does: \(frames)")
    }

    @Test func theStatusFrameNamesTheSymbolAndStatus() {
        let table = InstrumentTable([])
        let entry = table.apply(Self.record("NVDA", status: .halted, reason: "news"))
        #expect(entry.map(Gateway.statusFrame) == #"{"type":"instrument","data":{"symbol":"NVDA","status":"HALTED","halt_reason":"news"}}"#)
    }
}
