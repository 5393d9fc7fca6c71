import NIOCore
import NIOHTTP1

/// Lets the order fast path write an answer as finished HTTP/1 bytes. Building the same bytes through the HTTP-types
/// codec and NIO's encoder (a response head, three parts, a header list converted twice) cost about 3 µs per order,
/// as much as parsing and checking the order.
///
/// It sits between NIO's response encoder and the HTTP-types codec. The fast path writes the bytes below the encoder,
/// then sends `.end` down the pipeline as usual, so Hummingbird's connection-state handler still sees each request end
/// (its idle timeout and graceful close count the fast path's answers); this handler drops that `.end` before the
/// encoder, which would otherwise frame it as a response of its own.
final class PreEncodedAnswerWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var encoder: ChannelHandlerContext?
    private var endsToDrop = 0

    func handlerAdded(context: ChannelHandlerContext) {
        encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) { encoder = nil }

    /// False when the pipeline has no NIO encoder to write below.
    var isAvailable: Bool { encoder != nil }

    /// Writes a whole response ahead of the encoder; the next `.end` that reaches this handler belongs to it.
    func write(_ response: ByteBuffer) {
        guard let encoder else { return }
        endsToDrop += 1
        encoder.write(NIOAny(IOData.byteBuffer(response)), promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if endsToDrop > 0, case .end = unwrapOutboundIn(data) {
            endsToDrop -= 1
            promise?.succeed(())
            return
        }
        context.write(data, promise: promise)
    }
}
