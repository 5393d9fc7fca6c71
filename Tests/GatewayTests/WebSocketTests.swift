import ExchangeRecords
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(3))) struct WebSocketTests {
    /// Connects as `key`, subscribes to AAPL, collects text frames until `until` holds (or 10 s pass).
    static func collect(port: Int, key: String, until: @escaping @Sendable ([JSONValue]) -> Bool, onReady: @escaping @Sendable () async -> Void) async throws -> [JSONValue] {
        try await TradingScreenTests.collect(
            port: port, headers: [.authorization: "Bearer \(key)"], messages: [#"{"a":"subscribe","v":["AAPL"]}"#], ready: "subscribed",
            until: until, onReady: onReady)
    }

    /// A client message over the 64 KiB bound (sent as 16 KiB frames, the client's default) closes the WebSocket
    /// with 1009 (message too big) instead of being buffered.
    @Test func aMessageOverTheBoundClosesWith1009() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            var configuration = WebSocketClientConfiguration()
            configuration.additionalHeaders = [.authorization: "Bearer \(Keys.alice)"]
            let close = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/v1/ws", configuration: configuration, logger: Logger(label: "ws-test")
            ) { inbound, outbound, _ in
                try await outbound.write(.text(String(repeating: " ", count: 65 * 1024)))
                for try await _ in inbound {}
            }
            #expect(close?.closeCode == .messageTooLarge, "\(String(describing: close))")
        }
    }

    @Test func eachTraderReceivesOnlyTheirOwnReports() async throws {
        let gateway = makeGateway()
        let model = gateway.readModel
        try await gateway.application().test(.live) { client in
            guard let port = client.port else { Issue.record("no port"); return }
            let ready = Mutex(0)
            let publish: @Sendable () async -> Void = {
                // Once both traders are subscribed, the engine reports on both traders' orders.
                guard ready.withLock({ $0 += 1; return $0 }) == 2 else { return }
                model.apply(report("a-1", trader: "alice", status: "NEW", seq: 1))
                model.apply(report("b-1", trader: "bob", side: "SELL", status: "NEW", price: 161_000_000, seq: 2))
                model.apply(report("a-1", trader: "alice", status: "FILLED", filled: 10, leaves: 0, lastPrice: 160_250_000, lastQuantity: 10, tradeId: "t", seq: 3))
            }
            let done: @Sendable ([JSONValue]) -> Bool = { frames in
                frames.contains { $0["type"] == .string("order") && $0["data"]?["status"] == .string("FILLED") }
                    || frames.filter { $0["type"] == .string("order") }.count >= 1 && frames.contains { $0["data"]?["trader_id"] == .string("bob") }
            }
            async let aliceFrames = WebSocketTests.collect(port: port, key: Keys.alice, until: done, onReady: publish)
            async let bobFrames = WebSocketTests.collect(port: port, key: Keys.bob, until: done, onReady: publish)
            let (alice, bob) = try await (aliceFrames, bobFrames)

            let aliceOrders = alice.filter { $0["type"] == .string("order") }.compactMap { $0["data"] }
            let bobOrders = bob.filter { $0["type"] == .string("order") }.compactMap { $0["data"] }
            #expect(aliceOrders.map { $0["status"] } == [.string("NEW"), .string("FILLED")])
            #expect(aliceOrders.allSatisfy { $0["trader_id"] == .string("alice") })
            #expect(bobOrders.count == 1)
            #expect(bobOrders.allSatisfy { $0["trader_id"] == .string("bob") })
            // Both subscribed to AAPL, so both see the market's quotes (public data).
            #expect(alice.contains { $0["type"] == .string("quote") })
        }
    }

    /// The HTTP idle timeout ends idle HTTP connections, not a WebSocket whose client only listens.
    @Test func aListeningWebSocketOutlivesTheHTTPIdleTimeout() async throws {
        // Long enough that a machine busy with other suites answers the handshake within it (at 200 ms, and under a
        // heavier load at 1 s, the timeout closed the connection while the server still handled the upgrade).
        let gateway = makeGateway(idleTimeout: .seconds(2))
        let model = gateway.readModel
        try await gateway.application().test(.live) { client in
            guard let port = client.port else { Issue.record("no port"); return }
            let publish: @Sendable () async -> Void = {
                // Publish well after the idle timeout would have closed an idle HTTP connection.
                Task {
                    try await Task.sleep(for: .seconds(5))
                    model.apply(report("a-9", trader: "alice", status: "NEW", seq: 1))
                }
            }
            let frames = try await WebSocketTests.collect(
                port: port, key: Keys.alice, until: { frames in frames.contains { $0["type"] == .string("order") } }, onReady: publish)
            #expect(frames.contains { $0["type"] == .string("order") && $0["data"]?["order_id"] == .string("a-9") })
        }
    }

    @Test func unauthenticatedUpgradeIsRefused() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.live) { client in
            guard let port = client.port else { Issue.record("no port"); return }
            let upgraded = Mutex(false)
            do {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws", logger: Logger(label: "ws-test")) { _, _, _ in
                    upgraded.withLock { $0 = true }
                }
            } catch {
                // Refused: the upgrade request was answered 401.
            }
            #expect(!upgraded.withLock { $0 })
            let plain = try await client.execute(uri: "/v1/ws", method: .get)
            #expect(plain.status == .unauthorized)
        }
    }

    /// A first request that asks for an upgrade the gateway cannot make gets an answer; NIO's upgrade handler used to
    /// close such a connection without one (`curl --http2` asks every plain-HTTP server for h2c). An upgrade the
    /// gateway does not offer there is ignored; a stream handshake that cannot succeed gets the JSON error.
    @Test(arguments: [
        ("/v1/health", "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n", true, "200", nil as String?),
        ("/v1/health", "Upgrade: foo\r\nConnection: Upgrade\r\n", true, "200", nil),
        ("/v1/health", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n", true, "200", nil),
        ("/v1/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", true, "400", "Sec-WebSocket-Key"),
        ("/v1/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n", true, "400", "Sec-WebSocket-Key"),
        ("/v1/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n", true, "426", "Sec-WebSocket-Version"),
        ("/v1/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n", false, "401", nil),
    ])
    func anUpgradeThatCannotBeMadeIsAnswered(path: String, upgrade: String, withKey: Bool, status: String, field: String?) async throws {
        let gateway = makeGateway()
        let request = "GET \(path) HTTP/1.1\r\nHost: x\r\n" + (withKey ? "Authorization: Bearer \(Keys.alice)\r\n" : "") + upgrade + "\r\n"
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answer = try await OrderFastPathTests.onConnection(port: port) { fd -> String? in
                try OrderFastPathTests.send(fd, request)
                return OrderFastPathTests.readAnswer(fd)
            }
            let text = try #require(answer, "no answer")
            #expect(text.hasPrefix("HTTP/1.1 \(status) "), "\(text)")
            let body = try #require(text.split(separator: "\r\n\r\n", maxSplits: 1).last)
            let json = try JSONValue.parse(Array(body.utf8))
            if let field {
                #expect(json["field"] == .string(field), "\(text)")
            }
            if status == "426" { #expect(text.contains("\r\nSec-WebSocket-Version: 13\r\n"), "\(text)") }
            if status == "401" { #expect(json["error_type"] == .string("TokenException"), "\(text)") }
        }
    }
}
