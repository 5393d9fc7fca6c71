import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Looks at a connection's first request head before NIO's upgrade handler does: it may change the head (drop an
/// `Upgrade` header the server will not honour), or return the error to answer instead (then the connection closes).
public typealias FirstRequestHeadScreen = @Sendable (inout HTTPRequestHead) -> APIError?

/// Answers a connection whose first request does not parse as HTTP with a 400 JSON error and closes it, and closes
/// one that sends no first request within `firstRequestTimeout`, or before it when the server shuts down.
///
/// While the WebSocket upgrade handler waits for a connection's first request head, nothing in Hummingbird's
/// pipeline answers an `HTTPParserError` (a control character in a header, a malformed request line) or times out
/// (Hummingbird's idle timeout starts only after the first request): the client waited forever on an open
/// connection. Later requests on a kept-alive connection are Hummingbird's to answer, so the guard steps aside as
/// soon as the first request head is parsed.
public struct MalformedRequestGuard<Inner: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Inner.Value
    let inner: Inner
    let firstRequestTimeout: TimeAmount?
    let screenFirstHead: FirstRequestHeadScreen
    let bodyGuard: @Sendable () -> RequestBodyGuard?

    init(
        _ inner: Inner, firstRequestTimeout: TimeAmount? = nil, screenFirstHead: @escaping FirstRequestHeadScreen = { _ in nil },
        bodyGuard: @escaping @Sendable () -> RequestBodyGuard? = { nil }
    ) {
        self.inner = inner
        self.firstRequestTimeout = firstRequestTimeout
        self.screenFirstHead = screenFirstHead
        self.bodyGuard = bodyGuard
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { [firstRequestTimeout, screenFirstHead, bodyGuard] value in
            // Right behind the decoder: it sees the first request head (or the decoder's error) before the upgrade
            // handler does, whether the request is plain HTTP or a WebSocket upgrade.
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let first = FirstRequestParseErrorHandler(timeout: firstRequestTimeout, screen: screenFirstHead)
            try operations.addHandler(first, position: .after(decoder))
            // In front of it, the body bounds see every request part of the connection, the first one's too.
            if let bodyGuard = bodyGuard() { try operations.addHandler(bodyGuard, position: .before(first)) }
            return value
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Sits behind the HTTP decoder until the first request head has been parsed (then removes itself).
final class FirstRequestParseErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let timeout: TimeAmount?
    let screen: FirstRequestHeadScreen
    private var deadline: Scheduled<Void>?
    /// The first request was answered here: what follows of it is dropped until the connection closes.
    private var refused = false

    init(timeout: TimeAmount?, screen: @escaping FirstRequestHeadScreen = { _ in nil }) {
        self.timeout = timeout
        self.screen = screen
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let timeout else { return }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        guard case .head(var head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        if let refusal = RequestHeadRules.violation(head) ?? screen(&head) {
            refused = true
            return ClosingAnswer.write(refusal, context: context)
        }
        if ContinueAnswer.isAwaited(head) { ContinueAnswer.write(context: context) }
        context.fireChannelRead(wrapInboundOut(.head(ConnectionPersistence.normalized(head))))
        // A request head parsed: from here Hummingbird (idle timeout, later parse errors) or the WebSocket handles it.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// The server's graceful shutdown waits for every connection to finish. One that has sent no request head has
    /// nothing to finish, but nothing before the first head heard the event: such a connection held a gateway's
    /// shutdown for the whole first-request timeout (60 s by default).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        ClosingAnswer.write(APIError.malformedRequest(parserError), context: context)
    }
}

extension APIError {
    /// The 400 for bytes that are not an HTTP request, whichever handler answers them.
    static func malformedRequest(_ error: HTTPParserError) -> APIError {
        .input("request", "malformed HTTP request (\(error))")
    }
}
