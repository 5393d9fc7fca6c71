#if canImport(Glibc)
import ExchangeRecords
import Glibc
#endif
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// `POST /orders` served on the event loop answers exactly as the router does, keeps a pipelining
/// connection's answers in order, and counts as a request for the idle timeout.
@Suite(.timeLimit(.minutes(3))) struct OrderFastPathTests {
    struct Sent: Sendable {
        var key: String?
        var body: String
        var headers: HTTPFields = [:]
    }

    struct Answer: Equatable, CustomStringConvertible {
        var status: Int
        var body: String
        var headers: [String]

        init(_ response: TestResponse) {
            status = response.status.code
            body = String(buffer: response.body)
            let compared: [HTTPField.Name] = [.contentType, .contentLength, .wwwAuthenticate, .retryAfter, .server, HTTPField.Name("Idempotent-Replayed")!]
            headers = compared.map { "\($0): \(response.headers[$0] ?? "-")" }
        }

        var description: String { "\(status) \(headers) \(body)" }
    }

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    /// `POST /v1/orders` for alice as raw HTTP/1.1, for tests that need a plain socket.
    static func rawOrder(_ body: String, close: Bool = false) -> String {
        "POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Keys.alice)\r\nContent-Type: application/json\r\n"
            + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// Every kind of answer `POST /orders` gives: accepted, replayed, each validation error, the credential errors,
    /// and the idempotency conflicts. Accepted orders carry keys, so their ids are the same on both gateways.
    static var sequence: [Sent] {
        var sent = [
            Sent(key: Keys.alice, body: aliceBuy, headers: [idempotencyKey: "first"]),
            Sent(key: Keys.alice, body: aliceBuy, headers: [idempotencyKey: "first"]),
            Sent(key: Keys.alice, body: aliceBuy.replacingOccurrences(of: ":10,", with: ":20,"), headers: [idempotencyKey: "first"]),
            Sent(key: Keys.bob, body: aliceBuy, headers: [idempotencyKey: "first"]),
            Sent(key: Keys.alice, body: #"{"symbol":"FB","side":"SELL","order_type":"MARKET","quantity":5,"validity":"IOC","client_order_id":"c-1"}"#),
            Sent(key: Keys.alice, body: #"{"symbol":"FB","side":"SELL","order_type":"MARKET","quantity":5,"validity":"IOC","client_order_id":"c-1"}"#),
            Sent(key: Keys.alice, body: aliceBuy, headers: [idempotencyKey: String(repeating: "k", count: 129)]),
            Sent(key: nil, body: aliceBuy),
            Sent(key: "not-a-key", body: aliceBuy),
            Sent(key: nil, body: aliceBuy, headers: [.authorization: "Basic YWxpY2U6eA=="]),
            Sent(key: Keys.alice, body: aliceBuy, headers: [.contentType: "text/plain"]),
            Sent(key: Keys.alice, body: aliceBuy, headers: [.contentType: "application/json; charset=utf-8", idempotencyKey: "charset"]),
            // Answers that confirm keep-alive (an HTTP/1.0 client's need; harmless for HTTP/1.1).
            Sent(key: Keys.alice, body: aliceBuy, headers: [.connection: "Keep-Alive", idempotencyKey: "kept"]),
            Sent(key: "not-a-key", body: aliceBuy, headers: [.connection: "keep-alive"]),
        ]
        sent += BadInputTests.cases.map { Sent(key: Keys.alice, body: $0.body, headers: [.contentType: $0.contentType]) }
        return sent
    }

    static func answers(_ gateway: Gateway, _ setup: TestingSetup, _ sequence: [Sent]) async throws -> [Answer] {
        let answers = Mutex<[Answer]>([])
        try await gateway.application().test(setup) { client in
            for sent in sequence {
                var fields = sent.key.map { auth($0) } ?? [.contentType: "application/json"]
                for field in sent.headers { fields[field.name] = field.value }
                let response = try await client.execute(uri: "/v1/orders", method: .post, headers: fields, body: ByteBuffer(string: sent.body))
                answers.withLock { $0.append(Answer(response)) }
            }
        }
        return answers.withLock { $0 }
    }

    @Test func answersAsTheRouterDoes() async throws {
        let routed = RecordingSink()
        let fast = RecordingSink()
        let routerGateway = makeGateway(sink: routed, fastOrderPath: false)
        let fastGateway = makeGateway(sink: fast)
        let expected = try await Self.answers(routerGateway, .live, Self.sequence)
        let actual = try await Self.answers(fastGateway, .live, Self.sequence)
        #expect(expected.count == Self.sequence.count)
        for (index, (want, got)) in zip(expected, actual).enumerated() {
            #expect(got == want, "request \(index): \(Self.sequence[index].body.prefix(80))")
        }
        #expect(fastGateway.fastPathRequests == Self.sequence.count)
        #expect(routerGateway.fastPathRequests == 0)
        #expect(fast.commands.withLock { $0.map(\.orderId) } == routed.commands.withLock { $0.map(\.orderId) })
        #expect(fast.count == 5)
        #expect(fastGateway.readModel.counts.orders == routerGateway.readModel.counts.orders)
    }

    /// What a gateway with and one without the fast path answer to `requests`, each sent on a connection of its own
    /// (and read until the server closes it), with the time in `Date` headers taken out.
    static func rawAnswers(_ requests: [[UInt8]]) async throws -> (router: [String], fastPath: [String], fastPathRequests: Int) {
        var answers: [[String]] = []
        var fastPathRequests = 0
        for fastOrderPath in [false, true] {
            let gateway = makeGateway(sink: RecordingSink(), fastOrderPath: fastOrderPath)
            let texts = Mutex<[String]>([])
            try await gateway.application().test(.live) { client in
                let port = try #require(client.port)
                for request in requests {
                    let text = try #require(try await MalformedHTTPTests.exchange(port: port, request), "the connection stayed open")
                    texts.withLock { $0.append(text.replacing(/Date: [^\r]*\r\n/, with: "Date: -\r\n")) }
                }
            }
            answers.append(texts.withLock { $0 })
            fastPathRequests = gateway.fastPathRequests
        }
        return (answers[0], answers[1], fastPathRequests)
    }

    /// The text from the `n`th status line on (0 is the first).
    static func answer(_ n: Int, of text: String) -> String {
        text.components(separatedBy: "HTTP/1.1 ").dropFirst(n + 1).joined(separator: "HTTP/1.1 ")
    }

    /// The fast path writes its answers as finished bytes, below NIO's encoder: they are the router's bytes (status
    /// line, every header in order, body), all but the time in `Date`. Each order is followed on its connection by a
    /// request that closes it, so the order itself goes the fast path.
    @Test func answersAreTheRoutersBytes() async throws {
        func raw(_ sent: Sent) -> [UInt8] {
            var fields = sent.key.map { auth($0) } ?? [.contentType: "application/json"]
            for field in sent.headers { fields[field.name] = field.value }
            let head = fields.map { "\($0.name.rawName): \($0.value)\r\n" }.joined()
            let request = "POST /v1/orders HTTP/1.1\r\nHost: x\r\n\(head)Content-Length: \(sent.body.utf8.count)\r\n\r\n\(sent.body)"
            return Array((request + "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").utf8)
        }
        let (router, fastPath, fastPathRequests) = try await Self.rawAnswers(Self.sequence.map(raw))
        // Only the order's answer: the health answer after it reports counts of the gateway's state.
        let bytes = [router, fastPath].map { $0.map { Self.answer(0, of: $0).components(separatedBy: "HTTP/1.1 ")[0] } }
        #expect(fastPathRequests == Self.sequence.count)
        #expect(bytes[0].count == Self.sequence.count)
        for (index, (want, got)) in zip(bytes[0], bytes[1]).enumerated() {
            #expect(got == want, "request \(index): \(Self.sequence[index].body.prefix(80))")
        }
        #expect(bytes[1].contains { $0.hasPrefix("202 Accepted\r\n") })
        #expect(bytes[1].contains { $0.hasPrefix("422 ") })
    }

    /// The fast path swaps Hummingbird's HTTP/1 codec for one that takes an origin-form target as the path without
    /// parsing it as a URL. Requests whose targets take every form get the same answers from both: the second request
    /// on each connection, so it goes through the swapped codec.
    @Test func requestTargetsOfEveryFormAnswerAsWithHummingbirdsCodec() async throws {
        let targets = [
            "GET /v1/health", "GET /v1/health?x=1&y=%20", "GET http://x/v1/health", "GET http://x", "GET //v1/health",
            "GET /v1/%68ealth", "GET /v1/health#frag", "GET *", "GET x:80", "GET /v1/orders/a%2Fb",
            "POST http://x/v1/orders?q=1", "POST /v1//orders",
        ]
        let body = #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1}"#
        func request(_ target: String) -> [UInt8] {
            let first = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
            let second = "\(target) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Keys.alice)\r\nIdempotency-Key: k\r\n"
                + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            return Array((first + second).utf8)
        }
        let (router, fastPath, _) = try await Self.rawAnswers(targets.map(request))
        let answers = [router, fastPath].map { $0.map { Self.answer(1, of: $0) } }
        for (index, (want, got)) in zip(answers[0], answers[1]).enumerated() where targets[index] != "GET x:80" {
            #expect(got == want, "\(targets[index])")
        }
        // `GET http://x` is the path `/`: the trading screen's page.
        #expect(answers[1].map { String($0.prefix(3)) } == ["200", "200", "200", "200", "200", "404", "404", "404", "400", "404", "202", "202"])
        // A target that does not parse: Hummingbird answers 400 with an empty body, the fast path's connections with
        // the JSON error (see `aMalformedRequestAfterOthersGetsAJSONErrorInTurn`).
        #expect(answers[0][8].hasPrefix("400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n"))
        #expect(answers[1][8].contains(#""field":"request","reason":"malformed HTTP request (invalid URL)""#), "\(answers[1][8])")
    }

    /// A request that does not parse, after others on the same connection, gets a JSON 400 naming the problem (not
    /// Hummingbird's empty one) after their answers, and the connection closes: after an order still waiting for
    /// the log, after a router request, and while an order's body is being read.
    @Test func aMalformedRequestAfterOthersGetsAJSONErrorInTurn() async throws {
        let sink = RecordingSink()
        sink.nextDelays.withLock { $0 = [.milliseconds(300)] }
        let gateway = makeGateway(sink: sink)
        let bad = "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Trace: a\u{7f}\r\n\r\n"
        let health = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
        let chunkedOrder = "POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Keys.alice)\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"sym\r\nzz\r\n"
        let cases: [(String, [String])] = [
            (Self.rawOrder(aliceBuy) + bad, ["202", "400"]),
            (health + bad, ["200", "400"]),
            (Self.rawOrder(aliceBuy) + health + bad, ["202", "200", "400"]),
            (Self.rawOrder(aliceBuy) + chunkedOrder, ["202", "400"]),
        ]
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            for (request, expected) in cases {
                let text = try #require(try await MalformedHTTPTests.exchange(port: port, Array(request.utf8)), "the connection stayed open")
                let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
                #expect(answers.map { String($0.prefix(3)) } == expected, "\(text)")
                let last = try #require(answers.last)
                #expect(last.contains("Connection: close\r\n"), "\(last)")
                let body = try #require(last.split(separator: "\r\n\r\n", maxSplits: 1).last)
                let json = try JSONValue.parse(Array(body.utf8))
                #expect(json["status"] == .string("error") && json["field"] == .string("request"), "\(last)")
            }
        }
        #expect(sink.count == 3)  // the order whose body did not parse is not placed
    }

    /// A connection remembers the API key it last presented, so the key is not hashed again for every order; a
    /// request with another credential on the same connection is still judged by its own.
    @Test func eachRequestActsForItsOwnCredential() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        func order(_ authorization: String) -> String {
            let body = #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1}"#
            return "POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: \(authorization)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        let requests = order("Bearer \(Keys.alice)") + order("Bearer \(Keys.alice)") + order("Bearer \(Keys.bob)")
            + order("Bearer not-a-key") + order("Bearer \(Keys.alice)x") + order("bearer \(Keys.alice)")
            + "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let text = try #require(try await MalformedHTTPTests.exchange(port: port, Array(requests.utf8)), "the connection stayed open")
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["202", "202", "202", "401", "401", "202", "200"], "\(text)")
        }
        let traders = sink.commands.withLock { $0.map { command -> String in
            guard case .new(let order) = command else { return "?" }
            return order.traderId ?? "?"
        } }
        #expect(traders == ["alice", "alice", "bob", "alice"])
        #expect(gateway.fastPathRequests == 6)
    }

    /// NIO's encoder keeps each request's method, in order, to leave the body out of an answer to `HEAD`; the fast
    /// path's answers, written below it, must still take their place in that queue. Otherwise a `HEAD` after an order
    /// gets the answer framed for the order's `POST` (a body the client does not read, which it then takes for the
    /// next answer), and the queue grows by one entry per order for the connection's life.
    @Test func aHeadRequestAfterOrdersGetsNoBody() async throws {
        let gateway = makeGateway(sink: RecordingSink())
        let order = Self.rawOrder(aliceBuy)
        let requests = order + order + "HEAD /v1/health HTTP/1.1\r\nHost: x\r\n\r\n" + order
            + "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let text = try #require(try await MalformedHTTPTests.exchange(port: port, Array(requests.utf8)), "the connection stayed open")
            let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
            // (No route takes HEAD: 405 with Allow, which must come without its body.)
            #expect(answers.map { String($0.prefix(3)) } == ["202", "202", "405", "202", "200"], "\(text)")
            let head = try #require(answers.dropFirst(2).first)
            #expect(head.hasSuffix("\r\n\r\n"), "the answer to HEAD carries a body: \(head)")
        }
        #expect(gateway.fastPathRequests == 2)  // the third order follows a router request still unanswered
    }

    @Test func unavailableLogAndRateLimitAnswerAsTheRouterDoes() async throws {
        let sequence = [
            Sent(key: Keys.alice, body: aliceBuy, headers: [Self.idempotencyKey: "down"]),
            Sent(key: Keys.alice, body: aliceBuy, headers: [Self.idempotencyKey: "down"]),
            Sent(key: Keys.alice, body: aliceBuy, headers: [Self.idempotencyKey: "down"]),
        ]
        var answers: [[Answer]] = []
        for fastOrderPath in [false, true] {
            // The log is down, and the bucket holds two requests: 503, 503, then 429 with Retry-After.
            let sink = RecordingSink()
            sink.failing.withLock { $0 = true }
            let gateway = makeGateway(sink: sink, rate: 0.001, burst: 2, fastOrderPath: fastOrderPath)
            answers.append(try await Self.answers(gateway, .live, sequence))
            #expect(sink.count == 0)
        }
        #expect(answers[0].map(\.status) == [503, 503, 429])
        // The wait counts down from 1,000 s while the test runs, so its whole seconds differ between the gateways by
        // the time between them (over 10 s once, on a machine busy with other suites).
        let waits = answers.map { $0.flatMap(\.headers).filter { $0.hasPrefix("Retry-After: ") }.compactMap { Int($0.dropFirst(13)) } }
        #expect(waits.allSatisfy { $0.count == 1 && (900...1000).contains($0[0]) }, "\(waits)")
        let comparable = answers.map { $0.map { answer in
            var answer = answer
            answer.headers = answer.headers.map { $0.hasPrefix("Retry-After: ") && $0 != "Retry-After: -" ? "Retry-After: (900...1000)" : $0 }
            return answer
        } }
        #expect(comparable[1] == comparable[0])
    }

    /// Orders and router requests pipelined on one connection come back in request order, even when the order log
    /// takes the orders in another order and answers slower than the router.
    @Test func pipelinedAnswersKeepRequestOrder() async throws {
        let sink = RecordingSink()
        sink.nextDelays.withLock { $0 = [.milliseconds(600), .zero, .milliseconds(300)] }
        let gateway = makeGateway(sink: sink)
        func order(_ id: String, close: Bool = false) -> String {
            Self.rawOrder(#"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"client_order_id":"\#(id)"}"#, close: close)
        }
        let health = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
        // a, b and c on the fast path; health waits for their answers; d follows the router's request to the router
        // (and asks to close the connection, which ends the exchange).
        let requests = order("a") + order("b") + order("c") + health + order("d", close: true)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let text = try #require(try await MalformedHTTPTests.exchange(port: port, Array(requests.utf8)), "the connection stayed open")
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["202", "202", "202", "200", "202"], "\(text)")
            let ids = text.components(separatedBy: #""client_order_id":""#).dropFirst().map { String($0.prefix(1)) }
            #expect(ids == ["a", "b", "c", "d"])
        }
        #expect(sink.count == 4)
        #expect(gateway.fastPathRequests == 3)
    }

    /// A request that does not parse, pipelined after an order still waiting for the log, gets its 400 after the
    /// order's 202, and then the connection closes. Also when a router request waits in between and the bad request
    /// straddles the server's first 2,048-byte read: the decoder then reports a second error for the bytes after it.
    @Test(arguments: [false, true])
    func aBadRequestAfterAnUnansweredOrderIsAnsweredAfterIt(straddlingReads: Bool) async throws {
        let sink = RecordingSink()
        sink.nextDelays.withLock { $0 = [.milliseconds(300)] }
        let gateway = makeGateway(sink: sink)
        let bad = "BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
        var request = Self.rawOrder(aliceBuy)
        if straddlingReads {
            // Pad the router request so the bad one starts 12 bytes before the 2,048th.
            let health = "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: \r\n\r\n"
            let pad = 2_048 - 12 - request.utf8.count - health.utf8.count
            request += "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: \(String(repeating: "p", count: pad))\r\n\r\n"
        }
        let bytes = Array((request + bad).utf8)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let text = try #require(try await MalformedHTTPTests.exchange(port: port, bytes), "the connection stayed open")
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == (straddlingReads ? ["202", "200", "400"] : ["202", "400"]), "\(text)")
        }
        #expect(sink.count == 1)
    }

    /// A client that closes its sending side right after its order still gets the 202 once the log has the order,
    /// on the fast path as through the router.
    @Test(arguments: [true, false])
    func aClientThatClosesItsSideGetsItsAnswer(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        sink.nextDelays.withLock { $0 = [.milliseconds(300)] }
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath)
        let request = Self.rawOrder(aliceBuy)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let text = try #require(
                try await MalformedHTTPTests.exchange(port: port, Array(request.utf8), closingOurSide: true), "the connection stayed open")
            #expect(text.hasPrefix("HTTP/1.1 202 Accepted\r\n"), "\(text)")
        }
        #expect(sink.count == 1)
        #expect(gateway.fastPathRequests == (fastOrderPath ? 1 : 0))
    }

    /// An order whose client resets the connection before the answer is still placed, and the gateway counts the
    /// answer it could not deliver.
    @Test func aClientThatHangsUpIsCountedAndItsOrderPlaced() async throws {
        let sink = RecordingSink()
        sink.nextDelays.withLock { $0 = [.milliseconds(300)] }
        let gateway = makeGateway(sink: sink)
        let request = Self.rawOrder(aliceBuy)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            _ = try await MalformedHTTPTests.exchange(port: port, Array(request.utf8), hangUp: true)
            let counted = { gateway.metrics.counter("exchange_gateway_fast_path_answers_undeliverable_total") }
            let deadline = ContinuousClock.now + .seconds(30)
            while counted() == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(counted() == 1)
        }
        #expect(sink.count == 1)
        #expect(gateway.fastPathRequests == 1)
    }

    /// An order still waiting for the log is a request in progress: the idle timeout does not close its connection.
    @Test func anOrderWaitingForTheLogOutlastsTheIdleTimeout() async throws {
        let sink = RecordingSink()
        // The order waits for the log 2.5 times the idle timeout; the timeout is long enough that a client thread held
        // up by a busy machine still sends the order within it after connecting (at 500 ms it once did not).
        sink.delay.withLock { $0 = .seconds(5) }
        let gateway = makeGateway(sink: sink, idleTimeout: .seconds(2))
        let request = Self.rawOrder(aliceBuy)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            // The connection stays open after the answer until the idle timeout closes it.
            let text = try #require(try await MalformedHTTPTests.exchange(port: port, Array(request.utf8)), "the connection stayed open")
            #expect(text.hasPrefix("HTTP/1.1 202 Accepted\r\n"), "\(text)")
        }
        #expect(sink.count == 1)
        #expect(gateway.fastPathRequests == 1)
    }

    /// The fast path keeps the connection's idle timeout in place of Hummingbird's connection-state handler, which
    /// never sees the orders: a connection that sends nothing but orders stays open past the timeout while it keeps
    /// sending, and closes once it has been quiet for the timeout.
    @Test func aConnectionSendingOnlyOrdersStaysOpenWhileItSends() async throws {
        let sink = RecordingSink()
        // Gaps a quarter of the timeout, so a client thread held up by a busy machine still sends in time.
        let gateway = makeGateway(sink: sink, idleTimeout: .seconds(2))
        let orders = 9
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let result = try await Self.onConnection(port: port, readTimeout: 15) { fd -> (statuses: [String], closedAfter: Duration?) in
                let clock = ContinuousClock()
                var statuses: [String] = []
                for index in 0..<orders {
                    // 500 ms apart: 4 s in all, twice the idle timeout.
                    if index > 0 { usleep(500_000) }
                    try Self.send(fd, Self.rawOrder(aliceBuy))
                    guard let answer = Self.readAnswer(fd) else { break }
                    statuses.append(String(answer.prefix(12)))
                }
                let quietSince = clock.now
                let rest = MalformedHTTPTests.readUntilClosed(fd)
                return (statuses, rest == "" ? quietSince.duration(to: clock.now) : nil)
            }
            #expect(result.statuses == Array(repeating: "HTTP/1.1 202", count: orders))
            let closedAfter = try #require(result.closedAfter, "the connection was not closed when it went quiet")
            #expect(closedAfter >= .milliseconds(1_900) && closedAfter < .seconds(10), "closed \(closedAfter) after the last answer")
        }
        #expect(sink.count == orders)
        #expect(gateway.fastPathRequests == orders)
    }

    /// On graceful shutdown a connection with an order still waiting for the log gets its answer before it closes,
    /// and an idle one closes at once (the fast path takes the quiesce event from Hummingbird's connection-state
    /// handler, which would close the first with its answer unwritten).
    @Test func gracefulShutdownAnswersOwedOrdersThenCloses() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        let clock = ContinuousClock()
        let readers = Mutex<[Task<String?, Never>]>([])
        let shutdownStart = Mutex<ContinuousClock.Instant?>(nil)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            // An idle connection: its order is answered before shutdown starts.
            let idle = try await Self.onThread { () throws -> Int32 in
                let fd = try MalformedHTTPTests.connected(port: port, sending: Array(Self.rawOrder(aliceBuy).utf8), readTimeout: 30)
                _ = Self.readAnswer(fd)
                return fd
            }
            // A busy one: its order waits 1 s for the log.
            sink.nextDelays.withLock { $0 = [.seconds(1)] }
            let busy = try MalformedHTTPTests.connected(port: port, sending: Array(Self.rawOrder(aliceBuy).utf8), readTimeout: 30)
            let deadline = ContinuousClock.now + .seconds(10)
            while gateway.fastPathRequests < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(gateway.fastPathRequests == 2)
            for fd in [idle, busy] {
                let reader = Task.detached { await Self.onThread { () -> String? in
                    defer { close(fd) }
                    return MalformedHTTPTests.readUntilClosed(fd)
                } }
                readers.withLock { $0.append(reader) }
            }
            shutdownStart.withLock { $0 = clock.now }
        }
        let shutdown = try #require(shutdownStart.withLock { $0 }).duration(to: clock.now)
        let tasks = readers.withLock { $0 }
        try #require(tasks.count == 2)
        let idleText = await tasks[0].value
        let busyText = await tasks[1].value
        #expect(idleText == "", "the idle connection closed without another answer")
        #expect(busyText?.hasPrefix("HTTP/1.1 202 Accepted\r\n") == true, "\(busyText ?? "still open")")
        // Held by the idle connection, it would take the 60 s first-request timeout.
        #expect(shutdown < .seconds(45), "shutdown took \(shutdown)")
        #expect(sink.count == 2)
    }

    /// Runs blocking socket calls on a thread of their own, off the cooperative pool the server's tasks need.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// `body` with a connection of its own to the server at `port`, on a thread of its own (see `onThread`).
    static func onConnection<T: Sendable>(
        port: Int, readTimeout: Int = 10, _ body: @escaping @Sendable (Int32) throws -> T
    ) async throws -> T {
        try await onThread { () throws -> T in
            let fd = try MalformedHTTPTests.connected(port: port, sending: [], readTimeout: readTimeout)
            defer { close(fd) }
            return try body(fd)
        }
    }

    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    static func send(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == bytes.count else { throw MalformedHTTPTests.SocketError(operation: "send") }
    }

    /// One answer (head and a `Content-Length` body); nil if the connection closes or a read times out first.
    static func readAnswer(_ fd: Int32) -> String? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let text = String(decoding: received, as: UTF8.self)
            if let headEnd = text.range(of: "\r\n\r\n") {
                let head = text[..<headEnd.lowerBound]
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) >= length { return text }
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            received += buffer[0..<n]
        }
    }

    /// An order whose declared length is over the limit gets its 413 before the client sends the body (the client
    /// here sends it only after reading the answer), and the connection stays usable once the body is through.
    @Test(arguments: [true, false])
    func anOversizedOrderIsAnsweredBeforeItsBody(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath)
        let size = 20_000  // the limit is 16 KiB
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answers = try await Self.onConnection(port: port) { fd -> [String?] in
                try Self.send(fd, "POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Keys.alice)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(size)\r\n\r\n")
                let early = Self.readAnswer(fd)
                try Self.send(fd, String(repeating: " ", count: size))
                try Self.send(fd, Self.rawOrder(aliceBuy))
                return [early, Self.readAnswer(fd)]
            }
            let early = try #require(answers[0], "no answer before the body")
            #expect(early.hasPrefix("HTTP/1.1 413 "), "\(early)")
            #expect(early.contains(#""field":"body""#), "\(early)")
            let next = try #require(answers[1], "no answer to the next order")
            #expect(next.hasPrefix("HTTP/1.1 202 Accepted\r\n"), "\(next)")
        }
        #expect(sink.count == 1)
    }

    /// Orders without a key get distinct random version-4 UUIDs, and answers carry an RFC 9110 `Date` like the
    /// router's.
    @Test func randomOrderIdsAndDateHeader() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.live) { client in
            var ids = Set<String>()
            var dates: [String] = []
            for _ in 0..<200 {
                let placed = try await client.send(.post, "/v1/orders", body: aliceBuy)
                guard case .string(let id)? = placed.data["order_id"] else {
                    Issue.record("no order id: \(String(buffer: placed.body))")
                    return
                }
                ids.insert(id)
                let hex = Array(id.utf8)
                let isHex = { (b: UInt8) in (b >= 48 && b <= 57) || (b >= 97 && b <= 102) }
                #expect(hex.count == 36 && [8, 13, 18, 23].allSatisfy { hex[$0] == UInt8(ascii: "-") }, "\(id)")
                #expect(hex.enumerated().allSatisfy { [8, 13, 18, 23].contains($0.offset) || isHex($0.element) }, "\(id)")
                #expect(hex[14] == UInt8(ascii: "4") && [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(hex[19]), "\(id)")
                dates.append(placed.headers[.date] ?? "")
            }
            #expect(ids.count == 200)
            let routed = try await client.send(.get, "/v1/health", key: nil)
            dates.append(routed.headers[.date] ?? "")
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            for date in dates {
                let parsed = try #require(formatter.date(from: date), "Date: \(date)")
                #expect(abs(parsed.timeIntervalSinceNow) < 600, "Date: \(date)")
                #expect(formatter.string(from: parsed) == date, "Date: \(date)")
            }
        }
        #expect(gateway.fastPathRequests == 200)
    }
}
