#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

/// A request body costs the server bounded time and bytes, on the order fast path and through the router alike: a
/// body that trickles in, or one declared or chunked beyond what the server reads, gets an answer and the connection
/// closes, instead of holding it for ever.
@Suite(.timeLimit(.minutes(3))) struct RequestBodyBoundsTests {
    static let head = "Host: x\r\nAuthorization: Bearer \(Keys.alice)\r\nContent-Type: application/json\r\n"

    /// What the client reads after sending `first`, then `rest` a piece at a time with `gap` between pieces, until
    /// the server closes (nil if it never did within the read timeout).
    static func exchange(
        port: Int, _ first: String, rest: [String] = [], gap: Duration = .zero, readTimeout: Int = 20
    ) async throws -> String? {
        try await OrderFastPathTests.onConnection(port: port, readTimeout: readTimeout) { fd -> String? in
            try OrderFastPathTests.send(fd, first)
            for piece in rest {
                if gap > .zero { usleep(UInt32(gap / .microseconds(1))) }
                // As a client that reads its answer: once the server has said something, it stops sending.
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, 0) > 0 { break }
                guard (try? OrderFastPathTests.send(fd, piece)) != nil else { break }
            }
            return MalformedHTTPTests.readUntilClosed(fd)
        }
    }

    static let routes: [(method: String, path: String)] = [("POST", "/v1/orders"), ("PUT", "/v1/orders/unknown-order"), ("GET", "/v1/health")]

    @Test(arguments: [true, false])
    func aBodyThatTricklesInGetsA408AndTheConnectionCloses(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath, bodyTimeout: .seconds(1))
        let clock = ContinuousClock()
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let start = clock.now
            // 60 bytes declared; a byte every 200 ms would take 12 s, so the 1 s bound comes first.
            let text = try await Self.exchange(
                port: port, "POST /v1/orders HTTP/1.1\r\n\(Self.head)Content-Length: 60\r\n\r\n",
                rest: Array(repeating: " ", count: 60), gap: .milliseconds(200))
            let answer = try #require(text, "the connection was never closed")
            #expect(answer.hasPrefix("HTTP/1.1 408 "), "\(answer)")
            #expect(answer.contains(#""field":"body""#), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"), "\(answer)")
            #expect(clock.now - start < .seconds(10), "closed after \(clock.now - start)")
        }
        #expect(sink.count == 0)
    }

    /// A body that arrives slowly but whole within the bound is served as usual.
    @Test(arguments: [true, false])
    func aSlowBodyWithinTheBoundIsServed(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath, bodyTimeout: .seconds(20))
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let body = Array(aliceBuy).map(String.init)
            let answer = try await OrderFastPathTests.onConnection(port: port) { fd -> String? in
                try OrderFastPathTests.send(fd, "POST /v1/orders HTTP/1.1\r\n\(Self.head)Content-Length: \(aliceBuy.utf8.count)\r\n\r\n")
                for (index, piece) in body.enumerated() {
                    if index % 20 == 0 { usleep(50_000) }
                    try OrderFastPathTests.send(fd, piece)
                }
                return OrderFastPathTests.readAnswer(fd)
            }
            let text = try #require(answer)
            #expect(text.hasPrefix("HTTP/1.1 202 "), "\(text)")
        }
        #expect(sink.count == 1)
    }

    /// A `Content-Length` beyond what the server reads (2^63, or just past the bound) gets a 413 at once, on every
    /// route, and the connection closes: read and dropped, it would never end.
    @Test(arguments: [true, false])
    func aDeclaredLengthBeyondTheBoundIsAnsweredAndClosed(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath, maxBodyRead: 100_000)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            for length in ["9223372036854775808", "9223372036854775807", "100001", "18446744073709551615"] {
                for route in Self.routes {
                    let text = try await Self.exchange(
                        port: port, "\(route.method) \(route.path) HTTP/1.1\r\n\(Self.head)Content-Length: \(length)\r\n\r\n",
                        rest: [String(repeating: "x", count: 1000)])
                    let answer = try #require(text, "\(route) \(length): the connection was never closed")
                    #expect(answer.hasPrefix("HTTP/1.1 413 "), "\(route) \(length): \(answer)")
                    #expect(answer.contains(#""field":"body""#), "\(route) \(length): \(answer)")
                }
            }
        }
        #expect(sink.count == 0)
    }

    /// A chunked body that goes on past the bound (here one chunk declared 2^64−1 bytes long) gets a 413 once the
    /// bound is read, and the connection closes.
    @Test(arguments: [true, false])
    func anEndlessChunkIsAnsweredAndClosed(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath, maxBodyRead: 100_000)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            for route in Self.routes {
                let text = try await Self.exchange(
                    port: port, "\(route.method) \(route.path) HTTP/1.1\r\n\(Self.head)Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
                    rest: Array(repeating: String(repeating: "x", count: 10_000), count: 30))
                let answer = try #require(text, "\(route): the connection was never closed")
                #expect(answer.contains("HTTP/1.1 413 ") || answer.hasPrefix("HTTP/1.1 404 ") || answer.hasPrefix("HTTP/1.1 200 "),
                        "\(route): \(answer)")
                if route.method == "POST" { #expect(answer.hasPrefix("HTTP/1.1 413 "), "\(route): \(answer)") }
            }
        }
        #expect(sink.count == 0)
    }

    /// A body over the routes' limit but within what the server reads is read and dropped after its 413, and the
    /// connection serves the next request.
    @Test(arguments: [true, false])
    func aBodyWithinTheReadBoundKeepsTheConnection(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath, maxBodyRead: 100_000)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answers = try await OrderFastPathTests.onConnection(port: port) { fd -> [String?] in
                try OrderFastPathTests.send(fd, "POST /v1/orders HTTP/1.1\r\n\(Self.head)Transfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<5 { try OrderFastPathTests.send(fd, "2710\r\n" + String(repeating: " ", count: 10_000) + "\r\n") }
                try OrderFastPathTests.send(fd, "0\r\n\r\n")
                let first = OrderFastPathTests.readAnswer(fd)
                try OrderFastPathTests.send(fd, OrderFastPathTests.rawOrder(aliceBuy))
                return [first, OrderFastPathTests.readAnswer(fd)]
            }
            let first = try #require(answers[0])
            #expect(first.hasPrefix("HTTP/1.1 413 "), "\(first)")
            let next = try #require(answers[1], "the connection did not serve the next request")
            #expect(next.hasPrefix("HTTP/1.1 202 "), "\(next)")
        }
        #expect(sink.count == 1)
    }
}
