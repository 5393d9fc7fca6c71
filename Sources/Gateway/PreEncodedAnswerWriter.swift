import NIOCore
import NIOHTTP1

/// Lets the order fast path write an answer as finished HTTP/1 bytes. Building the same bytes through the HTTP-types
/// codec and NIO's encoder (a response head, three parts, a header list converted twice) cost about 3 µs per order,
/// as much as parsing and checking the order.
///
/// It sits between NIO's response encoder and the HTTP-types codec, with an `EncoderOutputGate` below the encoder.
/// The fast path writes the bytes below the encoder, then sends `.end` down the pipeline as usual, so Hummingbird's
/// connection-state handler still sees each request end (its idle timeout and graceful close count the fast path's
/// answers). Here that `.end` becomes an empty answer's head through the encoder, whose output the gate drops: the
/// encoder keeps each request's method in a queue to frame answers to `HEAD` without a body, and every answer must
/// take its turn there, or a later `HEAD` gets the framing of an order's `POST` and the queue grows with every order.
final class PreEncodedAnswerWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let gate = EncoderOutputGate()
    private var gateContext: ChannelHandlerContext?
    private var endsOwed = 0
    /// No body and no framing headers: the encoder has nothing to add to it.
    private static let emptyAnswer = HTTPResponseHead(version: .http1_1, status: .noContent)

    func handlerAdded(context: ChannelHandlerContext) {
        let operations = context.pipeline.syncOperations
        guard let encoder = try? operations.handler(type: HTTPResponseEncoder.self) else { return }
        try? operations.addHandler(gate, position: .before(encoder))
        gateContext = try? operations.context(handler: gate)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        gateContext = nil
        context.pipeline.syncOperations.removeHandler(gate, promise: nil)
    }

    /// Writes a whole response below the encoder; the next `.end` that reaches this handler belongs to it.
    func write(_ response: ByteBuffer) {
        guard let gateContext else { return }
        endsOwed += 1
        gateContext.write(NIOAny(IOData.byteBuffer(response)), promise: nil)
    }

    /// Writes a connection's last answer below the encoder, with no `.end` to follow: one to a request that never
    /// parsed, which the encoder never queued.
    func writeLast(_ response: ByteBuffer) {
        gateContext?.write(NIOAny(IOData.byteBuffer(response)), promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard endsOwed > 0, case .end = unwrapOutboundIn(data) else {
            return context.write(data, promise: promise)
        }
        endsOwed -= 1
        // The head alone takes the turn; its `.end` would leave the encoder as the head does (not chunked, body not
        // suppressed, since the fast path answers only POST), so it is not sent.
        gate.dropping = true
        context.write(wrapOutboundOut(.head(Self.emptyAnswer)), promise: nil)
        gate.dropping = false
        promise?.succeed(())
    }
}

/// Below NIO's encoder: drops what the encoder writes while `dropping` is set.
final class EncoderOutputGate: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    var dropping = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard dropping else { return context.write(data, promise: promise) }
        promise?.succeed(())
    }
}
