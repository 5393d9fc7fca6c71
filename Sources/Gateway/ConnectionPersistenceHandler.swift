import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Applies `ConnectionPersistence.normalized` to every request head behind NIO's decoder, on a connection without the
/// order fast path (which does it itself). A connection's first head is normalized by `FirstRequestParseErrorHandler`.
final class ConnectionPersistenceHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        context.fireChannelRead(wrapInboundOut(.head(ConnectionPersistence.normalized(head))))
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
