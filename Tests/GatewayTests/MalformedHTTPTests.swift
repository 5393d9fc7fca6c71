#if canImport(Glibc)
import ExchangeRecords
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Requests that do not parse as HTTP, sent over a plain socket (an HTTP client library would refuse to send them).
@Suite(.timeLimit(.minutes(3))) struct MalformedHTTPTests {
    /// Sends `request` and reads until the server closes the connection; `nil` if it neither answers nor closes
    /// within 30 s (answers take milliseconds; a full run on a busy machine once took over 10 s). The blocking socket calls run on a thread of their own: on the cooperative pool they could
    /// starve the in-process server's request handlers.
    static func exchange(port: Int, _ request: [UInt8], closingOurSide: Bool = false, hangUp: Bool = false) async throws -> String? {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, request, closingOurSide: closingOurSide, hangUp: hangUp) })
            }
        }
    }

    /// `closingOurSide` shuts the socket's sending side once the request is sent, as some clients do; `hangUp`
    /// resets the connection at once instead of reading the answer (and returns nil).
    static func blockingExchange(port: Int, _ request: [UInt8], closingOurSide: Bool = false, hangUp: Bool = false) throws -> String? {
        let fd = try connected(port: port, sending: request)
        defer { close(fd) }
        if closingOurSide { shutdown(fd, Int32(SHUT_WR)) }
        if hangUp {
            // An abortive close (RST), as a client that crashed or timed out: the server's read fails at once.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            return nil
        }
        return readUntilClosed(fd)
    }

    /// A socket connected to the server (the connection is in its accept queue) that has sent `request`; reads on it
    /// time out after `readTimeout` seconds.
    static func connected(port: Int, sending request: [UInt8], readTimeout: Int = 30) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw SocketError(operation: "connect")
        }
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else {
            close(fd)
            throw SocketError(operation: "send")
        }
        return fd
    }

    struct SocketError: Error {
        var operation: String
    }

    /// Everything the server sends until it closes the connection; nil if a read times out first. A reset counts as
    /// a close: the kernel resets instead of ending the stream when the server closes a socket holding bytes it has
    /// not read yet, such as a half-sent head that arrived just before shutdown closed the connection.
    static func readUntilClosed(_ fd: Int32) -> String? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return String(decoding: received, as: UTF8.self) }  // closed by the server
            if n < 0 { return errno == ECONNRESET ? String(decoding: received, as: UTF8.self) : nil }
            received += buffer[0..<n]
        }
    }

    /// The server's graceful shutdown waits for its connections to finish; one that has not sent a whole request
    /// head is closed at once instead of holding the shutdown for the first-request timeout (60 s here).
    @Test(arguments: ["", "GET /v1/health HTTP/1.1\r\nHost: x\r\n"])
    func aConnectionWithoutARequestDoesNotHoldUpShutdown(sent: String) async throws {
        let gateway = makeGateway()
        let clock = ContinuousClock()
        let quiet = Mutex<(fd: Int32, answer: Task<String?, Never>)?>(nil)
        let shutdownStart = Mutex<ContinuousClock.Instant?>(nil)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let fd = try Self.connected(port: port, sending: Array(sent.utf8), readTimeout: 30)
            let answer = Task.detached { await withCheckedContinuation { c in Thread.detachNewThread { c.resume(returning: Self.readUntilClosed(fd)) } } }
            quiet.withLock { $0 = (fd, answer) }
            // A request on a second connection, answered: the server has accepted the first one by now.
            let health = try await client.execute(uri: "/v1/health", method: .get)
            #expect(health.status == .ok)
            shutdownStart.withLock { $0 = clock.now }
        }
        let shutdown = try #require(shutdownStart.withLock { $0 }).duration(to: clock.now)
        let (fd, answer) = try #require(quiet.withLock { $0 })
        let text = await answer.value
        close(fd)
        #expect(text == "", "closed without an answer")
        // Held by the connection, it would take the 60 s timeout; the margin is for a machine busy with other suites.
        #expect(shutdown < .seconds(45), "shutdown took \(shutdown)")
    }

    @Test(arguments: [
        ("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Trace: a\u{7f}\r\n\r\n", "invalid character in header"),
        ("GET /v1/instruments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice-key\u{01}\r\n\r\n", "invalid character in header"),
        ("BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", "invalid HTTP method"),
        ("GET /v1/health HTTP/1.1\r\nHost: x\r\nX Trace: a\r\n\r\n", "invalid character in header"),
    ])
    func firstRequestThatDoesNotParseGetsA400JSONErrorAndTheConnectionCloses(request: String, reason: String) async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answer = try #require(try await Self.exchange(port: port, Array(request.utf8)), "no answer and the connection stayed open")
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(answer.contains("Connection: close\r\n"))
            let body = try #require(answer.split(separator: "\r\n\r\n", maxSplits: 1).last)
            let json = try JSONValue.parse(Array(body.utf8))
            #expect(json["status"] == .string("error"))
            #expect(json["field"] == .string("request"))
            #expect(json["reason"] == .string("malformed HTTP request (\(reason))"))
            // The server is unharmed: a well-formed request on a new connection still succeeds.
            let health = try #require(try await Self.exchange(port: port, Array("GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)))
            #expect(health.hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    /// A client that connects and sends nothing (or stops halfway through its first request head) does not hold the
    /// connection forever.
    @Test(arguments: ["", "GET /v1/health HTTP/1.1\r\nHost: x\r\n"])
    func aConnectionWithoutACompleteFirstRequestIsClosedAfterTheIdleTimeout(sent: String) async throws {
        let gateway = makeGateway(idleTimeout: .milliseconds(300))
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answer = try await Self.exchange(port: port, Array(sent.utf8))
            #expect(answer == "", "closed without an answer, within 30 s")
        }
    }

    @Test func aBadRequestAfterAGoodOneOnTheSameConnectionIsAnsweredAndClosed() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let pipelined = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/health HTTP/1.1\r\nHost: x\r\nX-Trace: a\u{7f}\r\n\r\n"
            let answer = try #require(try await Self.exchange(port: port, Array(pipelined.utf8)), "no answer and the connection stayed open")
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.contains("HTTP/1.1 400 Bad Request\r\n"))
        }
    }

    /// A body that does not parse (a bad chunk header) while a route reads it gets the JSON 400 naming the request,
    /// and the connection closes; it used to be a 500 "internal error".
    @Test(arguments: [true, false])
    func aBodyThatDoesNotParseWhileTheRouteReadsItIsA400(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath)
        // `Connection: close` sends the order to the router on both gateways.
        let request = "POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Keys.alice)\r\nContent-Type: application/json\r\n"
            + "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"sym\r\nZZ\r\n"
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answer = try #require(try await Self.exchange(port: port, Array(request.utf8)), "no answer and the connection stayed open")
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer)")
            #expect(answer.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer: \(answer)")
            let body = try #require(answer.split(separator: "\r\n\r\n", maxSplits: 1).last)
            let json = try JSONValue.parse(Array(body.utf8))
            #expect(json["field"] == .string("request"))
            #expect(json["reason"] == .string("malformed HTTP request (invalid character in chunk size header)"))
        }
        #expect(sink.count == 0)
    }

    /// A route that answers before it reads the body (an unknown order's 404) is the only answer when that body then
    /// does not parse: Hummingbird's second answer, an empty 400, would be taken for the next request's. The
    /// connection closes.
    @Test func aRouteThatAnsweredBeforeABadBodyIsTheOnlyAnswer() async throws {
        let gateway = makeGateway()
        let request = "PUT /v1/orders/unknown HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Keys.alice)\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"qua\r\nZZ\r\n"
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answer = try #require(try await Self.exchange(port: port, Array(request.utf8)), "no answer and the connection stayed open")
            #expect(answer.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(answer)")
            #expect(answer.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer: \(answer)")
        }
    }

    /// RFC 9112 §3.2: a request with two `Host` headers gets a 400 naming `Host` and the connection closes, on the
    /// fast path and through the router, as a connection's first request or a later one; nothing is placed. One
    /// without `Host` is served (wrk scripts that format requests while loading send none).
    @Test(arguments: [true, false], [true, false])
    func hostHeaderRules(fastOrderPath: Bool, afterAnotherRequest: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath)
        let lead = afterAnotherRequest ? "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n" : ""
        let order = "POST /v1/orders HTTP/1.1\r\nAuthorization: Bearer \(Keys.alice)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(aliceBuy.utf8.count)\r\n"
        let twoHosts = [
            order + "Host: a\r\nHost: b\r\n\r\n" + aliceBuy,
            "GET /v1/health HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
        ]
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            for request in twoHosts {
                let answer = try #require(try await Self.exchange(port: port, Array((lead + request).utf8)), "no answer and the connection stayed open")
                let answers = answer.components(separatedBy: "HTTP/1.1 ").dropFirst()
                #expect(answers.count == (afterAnotherRequest ? 2 : 1), "\(answer)")
                let last = try #require(answers.last)
                #expect(last.hasPrefix("400 Bad Request\r\n"), "\(answer)")
                let body = try #require(last.split(separator: "\r\n\r\n", maxSplits: 1).last)
                let json = try JSONValue.parse(Array(body.utf8))
                #expect(json["field"] == .string("Host"))
                #expect(json["reason"] == .string("must appear once"))
            }
            #expect(sink.count == 0)
            let withoutHost = try await OrderFastPathTests.onConnection(port: port) { fd -> String in
                try OrderFastPathTests.send(fd, lead + order + "\r\n" + aliceBuy)
                // Both answers, however the reads split them.
                var received = ""
                while received.components(separatedBy: "HTTP/1.1 ").count <= (lead.isEmpty ? 1 : 2),
                    let more = OrderFastPathTests.readAnswer(fd)
                {
                    received += more
                }
                return received
            }
            #expect(withoutHost.contains("HTTP/1.1 202 Accepted\r\n"), "\(withoutHost)")
        }
        #expect(sink.count == 1)
    }
}
