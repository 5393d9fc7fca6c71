import NIOCore
import NIOHTTP1

/// `Expect: 100-continue`: the client sends the head and waits for `100 Continue` before the body. Hummingbird never
/// sends it, so such a client (curl with a large body, .NET's `HttpWebRequest` on every POST) waited out its own
/// timeout, one second for curl, on every request. The handlers right behind NIO's decoder send it when the head
/// arrives and no answer is being written (an interim answer may come before any final one, but not inside one).
enum ContinueAnswer {
    static func isAwaited(_ head: HTTPRequestHead) -> Bool {
        guard head.version.major == 1, head.version.minor >= 1 else { return false }
        return head.headers[canonicalForm: "expect"].contains { ASCII.equals(String($0), caseInsensitive: "100-continue") }
    }

    /// Written through NIO's encoder, which does not count a non-final 1xx head as the request's answer.
    static func write(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
    }
}
