#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

/// HTTP/1.0 connection rules, over a plain socket: without `keep-alive` the connection closes after the answer (a
/// client such as ApacheBench waits for that close); with it, the answer confirms `Connection: keep-alive` and the
/// connection stays open. The same on the fast path and through the router, for a connection's first request and
/// for later ones.
@Suite(.timeLimit(.minutes(3))) struct ConnectionPersistenceTests {
    static func request(_ method: String, _ path: String, version: String, connection: String?, body: String? = nil) -> String {
        var text = "\(method) \(path) \(version)\r\nHost: x\r\nAuthorization: Bearer \(Keys.alice)\r\n"
        if let connection { text += "Connection: \(connection)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + (body ?? "")
    }

    @Test(arguments: [true, false], ["GET /v1/health", "POST /v1/orders"])
    func http10WithoutKeepAliveClosesAfterTheAnswer(fastOrderPath: Bool, route: String) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath)
        let parts = route.split(separator: " ").map(String.init)
        let body = parts[0] == "POST" ? aliceBuy : nil
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            // A first request, then one after a kept-alive request on the same connection.
            for lead in ["", Self.request("GET", "/v1/health", version: "HTTP/1.0", connection: "keep-alive")] {
                let bytes = Array((lead + Self.request(parts[0], parts[1], version: "HTTP/1.0", connection: nil, body: body)).utf8)
                let text = try #require(try await MalformedHTTPTests.exchange(port: port, bytes), "the connection stayed open")
                let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
                let expected = body == nil ? "200" : "202"
                #expect(statuses == (lead.isEmpty ? [expected] : ["200", expected]), "\(text)")
            }
        }
        #expect(sink.count == (body == nil ? 0 : 2))
    }

    @Test(arguments: [true, false])
    func http10KeepAliveIsConfirmedAndKept(fastOrderPath: Bool) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath)
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answers = try await OrderFastPathTests.onConnection(port: port) { fd -> [String?] in
                var answers: [String?] = []
                for (method, path, body) in [("POST", "/v1/orders", aliceBuy), ("GET", "/v1/health", nil), ("POST", "/v1/orders", aliceBuy)] {
                    try OrderFastPathTests.send(fd, Self.request(method, path, version: "HTTP/1.0", connection: "Keep-Alive", body: body))
                    answers.append(OrderFastPathTests.readAnswer(fd))
                }
                return answers
            }
            #expect(answers.count == 3)
            for (answer, status) in zip(answers, ["202", "200", "202"]) {
                let text = try #require(answer, "no answer: the connection closed")
                #expect(text.hasPrefix("HTTP/1.1 \(status) "), "\(text)")
                #expect(text.contains("\r\nConnection: keep-alive\r\n"), "\(text)")
            }
        }
        #expect(sink.count == 2)
        #expect(gateway.fastPathRequests == (fastOrderPath ? 2 : 0))
    }
}
