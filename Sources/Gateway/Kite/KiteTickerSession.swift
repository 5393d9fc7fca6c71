import ExchangeRecords
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// One `KiteTicker` connection: binary ticks for the instrument tokens it subscribes to (`{"a":"subscribe","v":[…]}`,
/// `{"a":"mode","v":["full",[…]]}`, `{"a":"unsubscribe","v":[…]}`), sent at once on subscribing and again whenever a
/// trade or a book change moves the instrument; and the trader's order updates as text `{"type":"order","data":…}`.
///
/// It listens to the gateway's `MarketDataHub` like any WebSocket, and renders what the hub's JSON frames announce
/// from the read model; one task writes to the socket, so the hub's queue orders everything sent.
struct KiteTickerSession {
    let gateway: Gateway
    let trader: Trader

    /// The hub frame that asks the writer for the current ticks of some tokens (after a subscribe or mode change).
    static let snapshotType = "kite_snapshot"
    /// The hub frame that asks the writer for a heartbeat.
    static let heartbeatType = "kite_heartbeat"

    final class Subscriptions: Sendable {
        // Touched by the reading task (subscribe) and the writing task (render).
        private let modes = Mutex<[Int64: KiteTickPacket.Mode]>([:])

        func set(_ tokens: [Int64], _ mode: KiteTickPacket.Mode?) {
            modes.withLock { m in for t in tokens { m[t] = mode } }
        }

        func mode(_ token: Int64) -> KiteTickPacket.Mode? { modes.withLock { $0[token] } }
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let hub = gateway.readModel.hub
        let connection = hub.connect(trader: trader.id)
        defer { hub.disconnect(connection.id) }
        let subscriptions = Subscriptions()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in connection.frames {
                    for message in render(frame, subscriptions) { try await outbound.write(message) }
                }
            }
            // Kite's heartbeat, a 1-byte binary message every second, keeps idle connections (and proxies) alive.
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(1))
                    hub.send(connection.id, MarketDataHub.frame(KiteTickerSession.heartbeatType, .null))
                }
            }
            for try await message in inbound.messages(maxSize: 64 * 1024) {
                guard case .text(let text) = message else { continue }
                handle(text, connection: connection.id, subscriptions)
            }
            hub.disconnect(connection.id)
            group.cancelAll()
        }
    }

    func errorFrame(_ message: String) -> String { MarketDataHub.frame("error", .string(message)) }

    /// A subscribe, unsubscribe or mode message from the client.
    private func handle(_ text: String, connection: UInt64, _ subscriptions: Subscriptions) {
        let hub = gateway.readModel.hub
        guard let message = try? JSONValue.parse(Array(text.utf8)), case .string(let action)? = message["a"] else {
            hub.send(connection, errorFrame("expected {\"a\":\"subscribe\"|\"unsubscribe\"|\"mode\",\"v\":…}"))
            return
        }
        func tokens(_ value: JSONValue?) -> [Int64] {
            guard case .array(let items)? = value else { return [] }
            return items.compactMap { if case .number(let n) = $0 { Int64(n) } else { nil } }
        }
        let table = gateway.kiteTokens
        var list: [Int64]
        var mode: KiteTickPacket.Mode?
        switch action {
        case "subscribe":
            list = tokens(message["v"])
            mode = .quote  // Kite's default mode
        case "unsubscribe":
            list = tokens(message["v"])
            mode = nil
        case "mode":
            guard case .array(let v)? = message["v"], v.count == 2, case .string(let name) = v[0], let m = KiteTickPacket.Mode(rawValue: name) else {
                hub.send(connection, errorFrame("mode takes [\"ltp\"|\"quote\"|\"full\", [tokens]]"))
                return
            }
            list = tokens(v[1])
            mode = m
        default:
            hub.send(connection, errorFrame("unknown action '\(action)'"))
            return
        }
        let unknown = list.filter { table.byToken[$0] == nil }
        if !unknown.isEmpty { hub.send(connection, errorFrame("unknown instrument token(s): \(unknown.map(String.init).joined(separator: ", "))")) }
        list.removeAll { table.byToken[$0] == nil }
        let symbols = list.compactMap { table.byToken[$0]?.rules.symbol }
        if let mode {
            subscriptions.set(list, mode)
            hub.subscribe(connection, symbols: symbols)
            hub.send(connection, MarketDataHub.frame(KiteTickerSession.snapshotType, .array(list.map(JSONValue.int))))
        } else {
            subscriptions.set(list, nil)
            hub.unsubscribe(connection, symbols: symbols)
        }
    }

    /// What a hub frame becomes on this socket: ticks, an order update, an error, or nothing.
    private func render(_ frame: String, _ subscriptions: Subscriptions) -> [WebSocketOutboundWriter.OutboundFrame] {
        guard let value = try? JSONValue.parse(Array(frame.utf8)), case .string(let type)? = value["type"] else { return [] }
        let table = gateway.kiteTokens
        let now = Gateway.nowMillis()
        func ticks(_ tokens: [Int64]) -> [WebSocketOutboundWriter.OutboundFrame] {
            let packets = tokens.compactMap { token -> ByteBuffer? in
                guard let entry = table.byToken[token], let mode = subscriptions.mode(token) else { return nil }
                return KiteTickPacket.packet(KiteQuote(entry: entry, symbol: gateway.readModel.symbolState(entry.rules.symbol)), mode: mode, now: now)
            }
            return packets.isEmpty ? [] : [.binary(KiteTickPacket.message(packets))]
        }
        switch type {
        case KiteTickerSession.snapshotType:
            guard case .array(let items)? = value["data"] else { return [] }
            return ticks(items.compactMap { if case .number(let n) = $0 { Int64(n) } else { nil } })
        case "quote":  // after every trade and book change of a subscribed symbol
            guard case .string(let symbol)? = value["data"]?["symbol"], let entry = table.bySymbol[symbol] else { return [] }
            return ticks([entry.token])
        case "order":
            guard case .string(let id)? = value["data"]?["order_id"], let order = gateway.readModel.orderState(id, trader: trader.id) else { return [] }
            guard case .object(var members) = gateway.kiteOrderView.order(order) else { return [] }
            members.append(("user_id", .string(trader.id)))
            members.append(("unfilled_quantity", .int(order.leaves)))
            return [.text(MarketDataHub.frame("order", .object(members)))]
        case KiteTickerSession.heartbeatType:
            return [.binary(ByteBuffer(bytes: [0]))]
        case "error":
            return [.text(frame)]
        default:
            return []
        }
    }
}
