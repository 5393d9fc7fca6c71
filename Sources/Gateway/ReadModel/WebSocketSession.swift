import HummingbirdWebSocket

/// One trader's WebSocket: their own order updates and fills always; trades, quotes and SMA
/// for the symbols they subscribe to with `{"a":"subscribe","v":["AAPL"]}` (Kite's message
/// shape; `unsubscribe` likewise). Frames are JSON text `{"type":…,"data":…}`.
struct WebSocketSession {
    let hub: MarketDataHub
    let trader: Trader
    let instruments: InstrumentTable

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let connection = hub.connect(trader: trader.id)
        defer { hub.disconnect(connection.id) }
        hub.send(connection.id, MarketDataHub.frame("connected", .object([("trader_id", .string(trader.id))])))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in connection.frames { try await outbound.write(.text(frame)) }
            }
            for try await message in inbound.messages(maxSize: 64 * 1024) {
                guard case .text(let text) = message else {
                    hub.send(connection.id, MarketDataHub.frame("error", .string("send JSON text frames")))
                    continue
                }
                handle(text, connection: connection.id)
            }
            hub.disconnect(connection.id)
            group.cancelAll()
        }
    }

    private func handle(_ text: String, connection: UInt64) {
        guard let message = try? JSONParser.parse(Array(text.utf8)),
              case .string(let action)? = message["a"]
        else {
            hub.send(connection, MarketDataHub.frame("error", .string("expected {\"a\":\"subscribe\"|\"unsubscribe\",\"v\":[symbols]}")))
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
}
