import ExchangeRecords
import HummingbirdWebSocket

/// One trader's WebSocket: their own order updates and fills always; trades, quotes and SMA
/// for the symbols they subscribe to with `{"a":"subscribe","v":["AAPL"]}` (Kite's message
/// shape; `unsubscribe` likewise); the browser's coalesced panels after `{"a":"watch","v":"AAPL"}`
/// (`MarketWatch`). Frames are JSON text `{"type":…,"data":…}`. Without a trader (market data
/// open to anonymous connections) it carries market data only.
struct WebSocketSession {
    let gateway: Gateway
    let trader: Trader?
    var hub: MarketDataHub { gateway.readModel.hub }
    var instruments: InstrumentTable { gateway.instruments }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let connection = hub.connect(trader: trader?.id)
        defer { hub.disconnect(connection.id) }
        hub.send(connection.id, MarketDataHub.frame("connected", .object([("trader_id", trader.map { .string($0.id) } ?? .null)])))
        let watch = MarketWatch(gateway: gateway, connection: connection.id, interval: gateway.configuration.marketDataInterval)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in connection.frames { try await outbound.write(.text(frame)) }
            }
            group.addTask { await watch.run() }
            for try await message in inbound.messages(maxSize: 64 * 1024) {
                guard case .text(let text) = message else {
                    hub.send(connection.id, MarketDataHub.frame("error", .string("send JSON text frames")))
                    continue
                }
                handle(text, connection: connection.id, watch: watch)
            }
            hub.disconnect(connection.id)
            group.cancelAll()
        }
    }

    private func handle(_ text: String, connection: UInt64, watch: MarketWatch) {
        guard let message = try? JSONValue.parse(Array(text.utf8)),
              case .string(let action)? = message["a"]
        else {
            hub.send(connection, MarketDataHub.frame("error", .string("expected {\"a\":\"subscribe\"|\"unsubscribe\"|\"watch\",\"v\":…}")))
            return
        }
        if action == "watch" {
            self.watch(message["v"], connection: connection, watch: watch)
            return
        }
        var symbols: [String] = []
        if case .array(let items)? = message["v"] {
            for case .string(let s) in items { symbols.append(s) }
        }
        let unknown = symbols.filter { instruments[$0] == nil }
        guard unknown.isEmpty else {
            hub.send(connection, MarketDataHub.frame("error", .string("unknown instrument(s): \(unknown.joined(separator: ", "))")))
            return
        }
        switch action {
        case "subscribe": hub.subscribe(connection, symbols: symbols)
        case "unsubscribe": hub.unsubscribe(connection, symbols: symbols)
        default:
            hub.send(connection, MarketDataHub.frame("error", .string("unknown action '\(action)'")))
            return
        }
        hub.send(connection, MarketDataHub.frame(action == "subscribe" ? "subscribed" : "unsubscribed", .array(symbols.map(JSONValue.string))))
    }

    /// `{"a":"watch","v":"AAPL"}` (one symbol's panels and the market's) or `"v":null` (the market's alone).
    private func watch(_ value: JSONValue?, connection: UInt64, watch: MarketWatch) {
        var symbol: String?
        switch value {
        case .string(let s)?:
            guard instruments[s] != nil else {
                hub.send(connection, MarketDataHub.frame("error", .string("unknown instrument(s): \(s)")))
                return
            }
            symbol = s
        case .null?, nil: symbol = nil
        default:
            hub.send(connection, MarketDataHub.frame("error", .string("watch takes one symbol or null: {\"a\":\"watch\",\"v\":\"AAPL\"}")))
            return
        }
        watch.watch(symbol)
        hub.send(connection, MarketDataHub.frame("watching", symbol.map(JSONValue.string) ?? .null))
    }
}
