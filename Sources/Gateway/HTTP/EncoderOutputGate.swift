import NIOCore
import NIOHTTP1

/// Lets the order fast path write an answer as finished HTTP/1 bytes. Building the same bytes through NIO's encoder
/// (a response head, three parts, a header list converted twice on the way) cost about 3 µs per order, as much as
/// parsing and checking the order.
///
/// It sits below NIO's response encoder. The fast path writes an answer's bytes through it, then an empty answer's
/// head through the encoder, whose output it drops: the encoder keeps each request's method in a queue to frame
/// answers to `HEAD` without a body, and every answer must take its turn there, or a later `HEAD` gets the framing of
/// an order's `POST` and the queue grows with every order.
final class EncoderOutputGate: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var context: ChannelHandlerContext?
    private var dropping = false
    /// No body and no framing headers: the encoder has nothing to add to it.
    private static let emptyAnswer = HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .noContent))
    private static let emptyAnswerEnd = HTTPServerResponsePart.end(nil)

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Writes the answer to the oldest request the encoder has queued; `above` is a handler's context between the
    /// encoder and the HTTP-types codec, through which the empty answer takes the turn. (Its `.end` adds nothing to
    /// the encoder's output, but tells the handlers on the way, `RequestBodyGuard`, that the answer is complete.)
    func writeAnswer(_ response: ByteBuffer, above: ChannelHandlerContext) {
        guard let context else { return }
        context.write(NIOAny(IOData.byteBuffer(response)), promise: nil)
        dropping = true
        above.write(NIOAny(Self.emptyAnswer), promise: nil)
        above.write(NIOAny(Self.emptyAnswerEnd), promise: nil)
        dropping = false
    }

    /// Writes a connection's last answer, with no turn to take: one to a request that never parsed, which the
    /// encoder never queued.
    func writeLast(_ response: ByteBuffer) {
        context?.write(NIOAny(IOData.byteBuffer(response)), promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard dropping else { return context.write(data, promise: promise) }
        promise?.succeed(())
    }
}
