import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Applies `ConnectionPersistence.normalized` to every request head behind NIO's decoder, answers
/// `Expect: 100-continue` (`ContinueAnswer`) and refuses what `RequestHeadRules` refuses, on a connection without the
/// order fast path (which does all three itself). A connection's first head is `FirstRequestParseErrorHandler`'s.
final class ConnectionPersistenceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Requests passed on and not yet answered to the end (the first is counted from the start).
    private var unanswered = 1
    /// A request `RequestHeadRules` refuses: answered once the requests before it are, then the connection closes;
    /// what came after it is dropped.
    private var refusal: APIError?
    private var refusalAnswered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusal != nil { return }
        guard case .head(let head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        if let violation = RequestHeadRules.violation(head) {
            refusal = violation
            return answerRefusalIfDue(context: context)
        }
        if unanswered == 0, ContinueAnswer.isAwaited(head) { ContinueAnswer.write(context: context) }
        unanswered += 1
        context.fireChannelRead(wrapInboundOut(.head(ConnectionPersistence.normalizedAfterUpgradeHandler(head))))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        unanswered = max(0, unanswered - 1)
        context.write(data, promise: promise)
        answerRefusalIfDue(context: context)
    }

    private func answerRefusalIfDue(context: ChannelHandlerContext) {
        guard unanswered == 0, let problem = refusal, !refusalAnswered else { return }
        refusalAnswered = true
        ClosingAnswer.write(problem, context: context)
    }

    /// Added through Hummingbird's `additionalChannelHandlers` (right after its HTTP-types codec, on a connection that
    /// was not upgraded): on the first request part it puts the handler in front of the codec, then steps aside.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let operations = context.pipeline.syncOperations
            if let codec = try? operations.context(handlerType: HTTP1ToHTTPServerCodec.self) {
                try? operations.addHandler(ConnectionPersistenceHandler(), position: .before(codec.handler))
            }
            context.fireChannelRead(data)
            operations.removeHandler(context: context, promise: nil)
        }
    }
}
