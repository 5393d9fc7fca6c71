#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

/// A client that sends `Expect: 100-continue` gets `100 Continue` before it sends the body, then the answer: on the
/// fast path and through the router, for a connection's first request and a later one. The client here sends the
/// body only after reading the 100, so without it the read times out and the test fails.
@Suite(.timeLimit(.minutes(3))) struct ExpectContinueTests {
    @Test(arguments: [true, false], ["GET /v1/health", "POST /v1/orders"])
    func continueComesBeforeTheBody(fastOrderPath: Bool, route: String) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath)
        let parts = route.split(separator: " ").map(String.init)
        let body = parts[0] == "POST" ? aliceBuy : ""
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let answers = try await OrderFastPathTests.onConnection(port: port) { fd -> [String?] in
                var answers: [String?] = []
                for _ in 0..<2 {
                    try OrderFastPathTests.send(
                        fd,
                        "\(parts[0]) \(parts[1]) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Keys.alice)\r\n"
                            + "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
                    let interim = OrderFastPathTests.readAnswer(fd)
                    answers.append(interim)
                    guard interim != nil else { break }
                    try OrderFastPathTests.send(fd, body)
                    answers.append(OrderFastPathTests.readAnswer(fd))
                }
                return answers
            }
            let final = body.isEmpty ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 202 Accepted\r\n"
            #expect(answers.count == 4, "\(answers)")
            for (index, answer) in answers.enumerated() {
                let text = try #require(answer, "no answer \(index): the read timed out")
                if index % 2 == 0 {
                    #expect(text == "HTTP/1.1 100 Continue\r\n\r\n", "\(text)")
                } else {
                    #expect(text.hasPrefix(final), "\(text)")
                }
            }
        }
        #expect(sink.count == (body.isEmpty ? 0 : 2))
    }
}
