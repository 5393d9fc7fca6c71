import ExchangeRecords
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

/// The trading screen's server side: its files and their security headers, anonymous market data, credentials as a
/// WebSocket subprotocol, and the coalesced `watch` panels. The page itself is driven in a browser by
/// DeploymentTests' BrowserUITests.
@Suite(.timeLimit(.minutes(3))) struct TradingScreenTests {
    static func trade(_ n: Int, symbol: String = "AAPL", price: Int64 = 160_000_000) -> TradeEvent {
        TradeEvent(
            tradeId: "t-\(n)", symbol: symbol, priceMicros: price, quantity: 1, buyOrderId: "b\(n)", sellOrderId: "s\(n)",
            buyTraderId: "alice", sellTraderId: "bob", aggressorSide: n % 2 == 0 ? "BUY" : "SELL",
            tradeTime: 1_700_000_000_000 + Int64(n), seq: Int64(n))
    }

    @Test func thePageAndItsFilesAllowThisOriginAlone() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            for (path, type) in [("/", "text/html"), ("/ui/app.js", "text/javascript"), ("/ui/app.css", "text/css")] {
                let answer = try await client.execute(uri: path, method: .get)
                #expect(answer.status == .ok, "\(path)")
                #expect(answer.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                let policy = try #require(answer.headers[.contentSecurityPolicy], "\(path)")
                #expect(policy.hasPrefix("default-src 'none'; script-src 'self'; style-src 'self';"), "\(policy)")
                #expect(!policy.contains("unsafe") && !policy.contains("*") && !policy.contains("http"), "\(policy)")
                #expect(answer.headers[.xContentTypeOptions] == "nosniff")
            }
            let page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(page.contains(#"<script src="/ui/app.js" defer></script>"#))
            // No inline script, style or event handler: the policy would block them.
            #expect(!page.contains("<script>") && !page.contains("<style") && !page.contains(" style=") && page.range(of: #" on[a-z]+="#, options: .regularExpression) == nil)
            let script = String(buffer: try await client.execute(uri: "/ui/app.js", method: .get).body)
            #expect(!script.contains("innerHTML") && !script.contains("eval("), "the page writes server text as text")
        }
    }

    /// `HEAD` of each file: GET's status and headers (its length included), no body; the connection goes on after it.
    @Test func headAnswersLikeGetWithoutABody() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.live) { client in
            for path in ["/", "/ui/app.js", "/ui/app.css"] {
                let head = try await client.execute(uri: path, method: .head)
                let get = try await client.execute(uri: path, method: .get)
                #expect(head.status == .ok, "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
                #expect(head.headers[.contentLength] == String(get.body.readableBytes), "\(path)")
                for field in [HTTPField.Name.contentType, .contentSecurityPolicy, .xContentTypeOptions, .cacheControl] {
                    #expect(head.headers[field] != nil && head.headers[field] == get.headers[field], "\(path) \(field)")
                }
            }
        }
    }

    /// The page says whether the market needs a key, so it can ask to sign in instead of retrying a refused WebSocket.
    @Test(arguments: [false, true])
    func thePageSaysWhetherMarketDataNeedsAKey(publicMarketData: Bool) async throws {
        let gateway = makeGateway(publicMarketData: publicMarketData)
        try await gateway.application().test(.router) { client in
            let page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            let expected = #"<meta name="exchange-market-data" content=""# + (publicMarketData ? "open" : "key") + #"">"#
            #expect(page.contains(expected), "\(page.prefix(400))")
            #expect(page.contains(#"<meta name="exchange-api" content="/v1">"#))
        }
    }

    @Test func theScreenCanBeTurnedOff() async throws {
        var configuration = GatewayConfiguration()
        configuration.serveUI = false
        let gateway = Gateway(configuration: configuration, instruments: testInstruments, sink: RecordingSink())
        try await gateway.application().test(.router) { client in
            let answer = try await client.execute(uri: "/", method: .get)
            #expect(answer.status == .notFound)
        }
    }

    /// Connects with `headers`, sends `messages`, collects text frames until `until` holds (or 10 s pass); `onReady`
    /// runs when the frame of type `ready` arrives.
    static func collect(
        port: Int, headers: HTTPFields = [:], messages: [String], ready: String = "watching",
        until: @escaping @Sendable ([JSONValue]) -> Bool, onReady: @escaping @Sendable () async -> Void = {}
    ) async throws -> [JSONValue] {
        let frames = Mutex<[JSONValue]>([])
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders = headers
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws", configuration: configuration, logger: Logger(label: "ws-test")) { inbound, outbound, _ in
            for message in messages { try await outbound.write(.text(message)) }
            let deadline = ContinuousClock.now + .seconds(10)
            for try await message in inbound.messages(maxSize: 1 << 22) {
                guard case .text(let text) = message, let frame = try? JSONValue.parse(Array(text.utf8)) else { continue }
                let all = frames.withLock { $0.append(frame); return $0 }
                if frame["type"] == .string(ready) { await onReady() }
                if until(all) || ContinuousClock.now > deadline { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return frames.withLock { $0 }
    }

    static func frames(_ all: [JSONValue], _ type: String) -> [JSONValue] {
        all.filter { $0["type"] == .string(type) }.compactMap { $0["data"] }
    }

    static func tradeIds(_ all: [JSONValue]) -> [String] {
        frames(all, "tape").flatMap { tape -> [String] in
            guard case .array(let trades)? = tape["trades"] else { return [] }
            return trades.compactMap { if case .string(let id)? = $0["trade_id"] { id } else { nil } }
        }
    }

    @Test func anAnonymousConnectionGetsMarketDataAndNoTradersFrames() async throws {
        let gateway = makeGateway(publicMarketData: true)
        let model = gateway.readModel
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let frames = try await Self.collect(
                port: port, messages: [#"{"a":"watch","v":"AAPL"}"#],
                until: { Self.tradeIds($0).contains("t-2") && !Self.frames($0, "book").isEmpty },
                onReady: {
                    model.apply(report("a-1", trader: "alice", status: "NEW", seq: 1))
                    model.apply(Self.trade(1))
                    model.apply(Self.trade(2))
                })
            #expect(Self.frames(frames, "connected").first?["trader_id"] == .null)
            #expect(Self.frames(frames, "order").isEmpty && Self.frames(frames, "own_trade").isEmpty, "\(frames)")
            #expect(!Self.frames(frames, "tickers").isEmpty && !Self.frames(frames, "ranking").isEmpty)
            #expect(Self.tradeIds(frames) == ["t-1", "t-2"])
            let book = try #require(Self.frames(frames, "book").last)
            #expect(book["symbol"] == .string("AAPL") && book["depth"]?["buy"] != nil, "\(book)")
        }
    }

    @Test func withoutPublicMarketDataAnAnonymousHandshakeIsRefused() async throws {
        let gateway = makeGateway(publicMarketData: false)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answer = try await OrderFastPathTests.onConnection(port: port) { fd -> String? in
                try OrderFastPathTests.send(fd, Self.handshake(protocols: nil))
                return OrderFastPathTests.readAnswer(fd)
            }
            #expect(answer?.hasPrefix("HTTP/1.1 401 ") == true, "\(answer ?? "no answer")")
        }
    }

    static func handshake(protocols: String?) -> String {
        "GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n" + (protocols.map { "Sec-WebSocket-Protocol: \($0)\r\n" } ?? "") + "\r\n"
    }

    static func base64url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A browser's key travels as a subprotocol; the answer names `exchange`, never the token. A token that names no
    /// trader is refused, whether market data is public or not.
    @Test(arguments: [false, true])
    func credentialsAsASubprotocol(publicMarketData: Bool) async throws {
        let gateway = makeGateway(publicMarketData: publicMarketData)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let good = try await OrderFastPathTests.onConnection(port: port) { fd -> String? in
                try OrderFastPathTests.send(fd, Self.handshake(protocols: "exchange, bearer.\(Self.base64url(Keys.alice))"))
                return OrderFastPathTests.readAnswer(fd)
            }
            let text = try #require(good)
            #expect(text.hasPrefix("HTTP/1.1 101 "), "\(text)")
            #expect(text.lowercased().contains("\r\nsec-websocket-protocol: exchange\r\n"), "\(text)")
            #expect(!text.contains(Self.base64url(Keys.alice)))
            for token in [Self.base64url("nobody's key"), "%%%"] {
                let bad = try await OrderFastPathTests.onConnection(port: port) { fd -> String? in
                    try OrderFastPathTests.send(fd, Self.handshake(protocols: "exchange, bearer.\(token)"))
                    return OrderFastPathTests.readAnswer(fd)
                }
                #expect(bad?.hasPrefix("HTTP/1.1 401 ") == true, "\(bad ?? "no answer")")
            }
        }
        // Through the client too: the session is alice's.
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let frames = try await Self.collect(
                port: port, headers: [HTTPField.Name("Sec-WebSocket-Protocol")!: "exchange, bearer.\(Self.base64url(Keys.alice))"],
                messages: [], until: { !Self.frames($0, "connected").isEmpty })
            #expect(Self.frames(frames, "connected").first?["trader_id"] == .string("alice"))
        }
    }

    /// However many trades arrive, a watching connection gets at most one tape frame per interval, of at most
    /// `tradesKept` trades (the newest), each trade at most once and in order, down to the last.
    @Test func tradesReachAWatcherCoalesced() async throws {
        let gateway = makeGateway(publicMarketData: true)
        let model = gateway.readModel
        let count = 400
        let started = Mutex<ContinuousClock.Instant?>(nil)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let frames = try await Self.collect(
                port: port, messages: [#"{"a":"watch","v":"AAPL"}"#], until: { Self.tradeIds($0).contains("t-\(count)") },
                onReady: {
                    started.withLock { $0 = .now }
                    for n in 1...count { model.apply(Self.trade(n)) }
                })
            let elapsed = ContinuousClock.now - (try #require(started.withLock { $0 }))
            let numbers = Self.tradeIds(frames).compactMap { Int($0.dropFirst(2)) }
            #expect(numbers.last == count && zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }, "\(numbers)")
            // The first tape frame comes with the watch; then at most one per 250 ms.
            let tapes = Self.frames(frames, "tape")
            #expect(tapes.count <= 2 + Int(elapsed / .milliseconds(250)), "\(tapes.count) tape frames in \(elapsed)")
            for tape in tapes {
                guard case .array(let trades)? = tape["trades"] else { Issue.record("a tape without trades: \(tape)"); continue }
                #expect(trades.count <= model.feed.tradesKept)
            }
        }
    }

    @Test func theFeedSaysWhatChangedAfterACursor() {
        let model = ReadModel()
        let feed = model.feed
        var changes = feed.changes(symbol: "AAPL", after: MarketFeed.Cursor())
        #expect(changes.book && changes.sma && changes.tickers && changes.ranking && changes.trades.isEmpty)
        for n in 1...(feed.tradesKept + 20) { model.apply(Self.trade(n)) }
        changes = feed.changes(symbol: "AAPL", after: changes.cursor)
        #expect(changes.trades.count == feed.tradesKept && changes.trades.first?.tradeId == "t-21")
        #expect(changes.tickers && !changes.book && !changes.sma && !changes.ranking)
        let quiet = feed.changes(symbol: "AAPL", after: changes.cursor)
        #expect(!quiet.tickers && !quiet.book && quiet.trades.isEmpty)
        model.apply(report("a-1", trader: "alice", status: "NEW", seq: 1))
        let booked = feed.changes(symbol: "AAPL", after: quiet.cursor)
        #expect(booked.book && booked.trades.isEmpty)
        // Another symbol's trades are not this one's.
        model.apply(Self.trade(9_999, symbol: "GOOG", price: 1_165_000_000))
        #expect(feed.changes(symbol: "AAPL", after: booked.cursor).trades.isEmpty)
    }
}
