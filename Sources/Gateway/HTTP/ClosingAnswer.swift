import NIOCore
import NIOHTTP1

/// Writes an error's JSON answer through NIO's encoder, then closes the connection: for a request the handlers right
/// behind the decoder refuse before the router sees it.
enum ClosingAnswer {
    static func write(_ problem: APIError, context: ChannelHandlerContext) {
        let channel = context.channel
        writeParts(problem, context: context).whenComplete { _ in channel.close(promise: nil) }
    }

    /// The answer's parts, with `Connection: close`, flushed; the future completes when the last is written.
    @discardableResult
    static func writeParts(_ problem: APIError, context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        let body = context.channel.allocator.buffer(string: problem.body.serialized())
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        for field in problem.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.add(name: "Connection", value: "close")
        let status = HTTPResponseStatus(statusCode: problem.status.code)
        context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        return context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
    }
}
