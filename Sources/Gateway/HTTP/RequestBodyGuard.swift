import NIOCore
import NIOHTTP1

/// Bounds what one request's body may cost the server, on every HTTP connection (right behind NIO's decoder, so it
/// sees every request, answered by the order fast path or the router):
/// - time: the body must arrive within `bodyTimeout` of its head, however it trickles in (a byte every few seconds
///   kept a connection for ever: the idle timeout counts silence, not progress);
/// - size: at most `maxBodyRead` bytes of it are read (declared or chunked). Up to that, a body over the routes'
///   `maxBodySize` is read and dropped after its 413, so the connection stays usable; past it (a `Content-Length` of
///   2^63, a chunk of 2^64−1 bytes) the server would read for ever.
///
/// Past either bound the request gets its answer (408 or 413, unless the route already answered it), after the
/// answers owed to the requests before it, and the connection closes: what follows on it cannot be read.
final class RequestBodyGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case betweenRequests
        /// Reading request number `index` (1 for the connection's first), whose head came at `since`; `bytes` of its
        /// body so far.
        case reading(index: Int, bytes: Int, since: NIODeadline)
        /// Request `index` went past a bound: nothing more is read; `problem` is its answer unless it has one.
        case stopped(index: Int, problem: APIError)
        /// The last answer is written; the connection closes.
        case closing
    }

    private let bodyTimeout: TimeAmount
    private let maxBodyRead: Int
    private var state = State.betweenRequests
    private var requests = 0
    /// Final (non-1xx) answers begun and ended, in request order.
    private var answersStarted = 0
    private var answersEnded = 0
    /// This handler wrote the stopped request's answer: anything the route writes after it is dropped.
    private var answeredHere = false
    /// The connection switched protocols (a WebSocket).
    private var upgraded = false
    private var deadline: Scheduled<Void>?
    /// After the last answer the client may still be sending: its bytes are read and dropped for this long before the
    /// connection closes, since closing on unread bytes resets the connection, and a reset can destroy the answer
    /// before the client reads it.
    static let linger = TimeAmount.seconds(2)

    init(bodyTimeout: TimeAmount, maxBodyRead: Int) {
        self.bodyTimeout = bodyTimeout
        self.maxBodyRead = maxBodyRead
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelDeadline() }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadline()
        context.fireChannelInactive()
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if upgraded { return context.fireChannelRead(data) }
        let part = unwrapInboundIn(data)
        switch state {
        case .stopped, .closing:
            return  // past a bound: what follows on the connection is not read as requests
        case .betweenRequests:
            guard case .head(let head) = part else { return context.fireChannelRead(data) }
            requests += 1
            if let declared = head.headers.first(name: "content-length"), !Self.fits(declared, within: maxBodyRead) {
                // Not passed on: the route would answer it and then read the body for ever.
                return stop(index: requests, problem: tooLarge, context: context)
            }
            state = .reading(index: requests, bytes: 0, since: .now())
            context.fireChannelRead(data)
        case .reading(let index, let bytes, let since):
            switch part {
            case .head:
                context.fireChannelRead(data)  // the decoder sends none before `.end`
            case .body(let chunk):
                let total = bytes + chunk.readableBytes
                guard total <= maxBodyRead else { return stop(index: index, problem: tooLarge, context: context) }
                state = .reading(index: index, bytes: total, since: since)
                context.fireChannelRead(data)
            case .end:
                cancelDeadline()
                state = .betweenRequests
                context.fireChannelRead(data)
            }
        }
    }

    /// The deadline is set only for a request still unfinished when a read ends: most arrive whole in one read, and
    /// a timer for each would cost the order path a schedule and a cancel.
    func channelReadComplete(context: ChannelHandlerContext) {
        if case .reading(_, _, let since) = state, deadline == nil { startDeadline(at: since + bodyTimeout, context: context) }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        // Stopped: nothing more is read until the answers owed are out (then the connection lingers, reading on).
        if case .stopped = state { return }
        context.read()
    }

    /// Whether a `Content-Length` value is a length of at most `limit` (one that does not parse is the decoder's to
    /// refuse; a number too large for `Int` is over any limit).
    static func fits(_ declared: String, within limit: Int) -> Bool {
        guard declared.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), !declared.isEmpty else { return true }
        guard let length = Int(declared) else { return false }
        return length <= limit
    }

    // MARK: outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if upgraded { return context.write(data, promise: promise) }
        if answeredHere {
            promise?.succeed(())
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.code >= 200 { answersStarted += 1 }
            // A WebSocket from here: no more HTTP requests, and its bytes pass untouched (removing the handler here,
            // in the middle of the upgrade, upsets the upgrade's own changes to the pipeline).
            if head.status == .switchingProtocols { upgraded = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            answersEnded += 1
            context.write(data, promise: promise)
            if case .stopped = state { answerOrCloseIfDue(context: context) }
        }
    }

    // MARK: past a bound

    private var tooLarge: APIError {
        APIError(status: .contentTooLarge, errorType: "InputException",
                 message: "body is larger than the server reads (\(maxBodyRead) bytes)", field: "body",
                 reason: "larger than \(maxBodyRead) bytes")
    }

    private var timedOut: APIError {
        let seconds = Double(bodyTimeout.nanoseconds) / 1e9
        return APIError(status: .requestTimeout, errorType: "InputException",
                        message: "the request body did not arrive within \(seconds) s of its head", field: "body",
                        reason: "not complete within \(seconds) s")
    }

    private func stop(index: Int, problem: APIError, context: ChannelHandlerContext) {
        cancelDeadline()
        state = .stopped(index: index, problem: problem)
        answerOrCloseIfDue(context: context)
    }

    /// Closes once the stopped request is answered, by its route or here (when every answer before it is out and its
    /// route has not begun one).
    private func answerOrCloseIfDue(context: ChannelHandlerContext) {
        guard case .stopped(let index, let problem) = state else { return }
        if answersEnded >= index {
            return close(context: context)
        }
        guard answersStarted == index - 1, answersEnded == index - 1 else { return }
        ClosingAnswer.writeParts(problem, context: context)
        answeredHere = true
        close(context: context)
    }

    /// Ends the output (the client reads the answer, then end of stream), reads and drops what still comes for
    /// `linger`, then closes.
    private func close(context: ChannelHandlerContext) {
        state = .closing
        context.flush()
        let channel = context.channel
        let halfClosed = context.eventLoop.makePromise(of: Void.self)
        context.close(mode: .output, promise: halfClosed)
        halfClosed.futureResult.whenComplete { result in
            switch result {
            case .success: channel.eventLoop.scheduleTask(in: Self.linger) { channel.close(promise: nil) }
            case .failure: channel.close(promise: nil)
            }
        }
        context.read()
    }

    private func startDeadline(at instant: NIODeadline, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        deadline = loop.scheduleTask(deadline: instant) {
            let (handler, context) = bound.value
            handler.deadline = nil
            guard case .reading(let index, _, _) = handler.state else { return }
            handler.stop(index: index, problem: handler.timedOut, context: context)
        }
    }

    private func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }
}
