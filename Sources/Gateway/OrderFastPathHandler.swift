import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Serves `POST <prefix>/orders` on the connection's event loop, in front of Hummingbird's async
/// request handling: a task, an async sequence and a response writer per request cost about four
/// times what the order itself does. The decisions are the route's own (`Gateway.authorize`,
/// `preparePlacement`, `finishPlacement`), so both answer alike; every other request, and an order
/// request with `Connection: close` or `Expect`, goes on to Hummingbird untouched.
///
/// It sits behind Hummingbird's connection-state handler (see `OrderFastPathInstaller`), so idle
/// timeouts and graceful shutdown count its requests too, and it keeps answers in request order on
/// a pipelining connection: a request for the router waits while orders are still unanswered, and
/// an order goes to the router while the router still owes an answer.
final class OrderFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// An order request being read.
    private struct OrderRequest {
        var head: HTTPRequest
        var body: ByteBuffer?
        var tooLarge = false
    }

    private enum Reading {
        case betweenRequests
        case order(OrderRequest)
        case forwarding
    }

    /// An answer owed, in request order; `answer` stays nil until the order log decides it.
    private struct Owed {
        var id: UInt64
        var started: ContinuousClock.Instant
        var answer: APIAnswer?
    }

    /// Unanswered orders a connection may have before reading stops (pipelining clients).
    static let maxOwed = 64

    private let gateway: Gateway
    private let ordersPath: String
    private var reading = Reading.betweenRequests
    private var owed = CircularBuffer<Owed>()
    private var nextID: UInt64 = 0
    private var routerRequestsInFlight = 0
    /// Parts that wait for owed answers before they may go on.
    private var held = CircularBuffer<HTTPRequestPart>()
    private var readDeferred = false
    private var draining = false
    /// Whether the current drain passed a part on to the router.
    private var forwarded = false
    /// Errors left to the router (a request whose head it already has did not parse, or one from elsewhere in the
    /// pipeline): they reach it (it answers 400, or just closes) only after the answers owed before them.
    private var heldErrors: [any Error] = []
    /// The client closed its side after sending: the router's channel hears of it (and then closes ours) only after
    /// the answers owed.
    private var heldInputClosed = false
    /// A request that did not parse, while the router is not reading one: it gets a JSON 400 and the connection
    /// closes, once every answer owed before it is written. (Hummingbird's own answer to it has an empty body.)
    private var malformed: HTTPParserError?
    private var closing = false
    private var isActive = true
    private var date = HTTPDate()
    private var credential: RememberedCredential?
    private let answerWriter: PreEncodedAnswerWriter

    init(gateway: Gateway, answerWriter: PreEncodedAnswerWriter) {
        self.gateway = gateway
        self.answerWriter = answerWriter
        self.ordersPath = gateway.configuration.prefix + "/orders"
    }

    func handlerRemoved(context: ChannelHandlerContext) { isActive = false }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        context.fireChannelInactive()
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(unwrapInboundIn(data))
        drain(context: context, inReadCycle: true)
    }

    /// Takes held parts on in order until one must wait. Answering one can call back in here
    /// (an order answered at once); the outer call goes on with the rest. Outside a read cycle
    /// (parts released by an answer) it ends with a read-complete, which is when the router's
    /// async channel hands what it got to its handler.
    private func drain(context: ChannelHandlerContext, inReadCycle: Bool) {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        forwarded = false
        while !held.isEmpty {
            let part = held.removeFirst()
            guard take(part, context: context) else {
                held.prepend(part)
                break
            }
        }
        if forwarded, !inReadCycle { context.fireChannelReadComplete() }
        answerMalformedIfDue(context: context)
        if held.isEmpty, owed.isEmpty {
            let errors = heldErrors
            heldErrors = []
            for error in errors { context.fireErrorCaught(error) }
            if heldInputClosed {
                heldInputClosed = false
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
        }
        if readDeferred, mayRead {
            readDeferred = false
            context.read()
        }
    }

    /// Takes one part on; false when it must wait for the orders' answers first.
    private func take(_ part: HTTPRequestPart, context: ChannelHandlerContext) -> Bool {
        switch reading {
        case .betweenRequests:
            guard case .head(let head) = part else {
                forward(part, context: context)
                return true
            }
            if routerRequestsInFlight == 0, isOrder(head) {
                reading = .order(OrderRequest(head: head))
                return true
            }
            guard owed.isEmpty else { return false }
            forward(part, context: context)
        case .order(var request):
            switch part {
            case .head:
                forward(part, context: context)  // the decoder never sends one before `.end`
            case .body(var chunk):
                let size = (request.body?.readableBytes ?? 0) + chunk.readableBytes
                if request.tooLarge || size > gateway.configuration.maxBodySize {
                    // Read on and drop the rest, as the router does, so the connection stays usable.
                    request.tooLarge = true
                    request.body = nil
                } else if request.body == nil {
                    request.body = chunk
                } else {
                    request.body?.writeBuffer(&chunk)
                }
                reading = .order(request)
            case .end:
                reading = .betweenRequests
                place(request, context: context)
            }
        case .forwarding:
            forward(part, context: context)
        }
        return true
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed? = event as? ChannelEvent, mustWait else {
            return context.fireUserInboundEventTriggered(event)
        }
        heldInputClosed = true
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if malformed != nil { return }  // the decoder's errors for the bytes after the bad request
        if let parserError = error as? HTTPParserError {
            if case .forwarding = reading {
                // The router has the bad request's head and waits for the rest: it answers (and closes) itself.
            } else {
                malformed = parserError
                reading = .betweenRequests  // an order whose body did not parse is not placed
                return answerMalformedIfDue(context: context)
            }
        }
        guard mustWait else { return context.fireErrorCaught(error) }
        heldErrors.append(error)
    }

    /// The JSON 400 for a request that did not parse, then the close, once the requests before it are answered (the
    /// orders' and the router's).
    private func answerMalformedIfDue(context: ChannelHandlerContext) {
        guard let parserError = malformed, !closing, held.isEmpty, owed.isEmpty,
            routerRequestsInFlight == 0
        else { return }
        closing = true
        var answer = APIAnswer(APIError.malformedRequest(parserError))
        answer.headers[.connection] = "close"
        // Below the encoder without taking a turn there: the request never parsed, so it was never queued.
        answerWriter.writeLast(encode(answer, allocator: context.channel.allocator))
        context.flush()
        context.close(promise: nil)
    }

    /// Whether an event for the router must wait: answers or parts before it are still pending.
    private var mustWait: Bool { !heldErrors.isEmpty || !held.isEmpty || !owed.isEmpty }

    private func isOrder(_ head: HTTPRequest) -> Bool {
        guard head.method == .post, let path = head.path else { return false }
        // (Substring == String compares the bytes at once; `elementsEqual` on the UTF-8 views went byte by byte.)
        let route: Substring = path.utf8.firstIndex(of: UInt8(ascii: "?")).map { path[..<$0] } ?? path[...]
        guard route == ordersPath, !head.headerFields.contains(.expect) else { return false }
        if let connection = head.headerFields.value(.connection), ASCII.contains(connection, caseInsensitive: "close") { return false }
        return true
    }

    private func forward(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head:
            routerRequestsInFlight += 1
            reading = .forwarding
        case .body:
            break
        case .end:
            reading = .betweenRequests
        }
        forwarded = true
        context.fireChannelRead(wrapInboundOut(part))
    }

    // MARK: placing

    private func place(_ request: OrderRequest, context: ChannelHandlerContext) {
        let id = nextID
        nextID &+= 1
        owed.append(Owed(id: id, started: .now, answer: nil))
        gateway.countFastPathRequest()
        let step: Gateway.PlacementStep
        do {
            step = try prepare(request)
        } catch {
            return settle(id, APIAnswer(error), context: context)
        }
        switch step {
        case .answer(let answer):
            settle(id, answer, context: context)
        case .submit(let order, let key):
            let gateway = self.gateway
            let loop = context.eventLoop
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
            gateway.sink.submit(.new(order)) { error in
                let answer: APIAnswer
                do throws(APIError) {
                    answer = try gateway.finishPlacement(order, idempotencyKey: key, error: error)
                } catch {
                    answer = APIAnswer(error)
                }
                loop.execute { bound.value.handler.settle(id, answer, context: bound.value.context) }
            }
        }
    }

    /// The route's checks, in the route's order: credentials and rate limit, the idempotency key,
    /// the body's headers and size, then the order itself.
    private func prepare(_ request: OrderRequest) throws(APIError) -> Gateway.PlacementStep {
        let fields = request.head.headerFields
        let path = request.head.path ?? ""
        let query = path.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(path[path.utf8.index(after: $0)...]) }
        let trader = try gateway.authentication.authorize(headers: fields, query: query, remembered: &credential)
        let key = try Gateway.idempotencyHeader(fields)
        try gateway.checkBodyHeaders(fields)
        if request.tooLarge { throw gateway.bodyTooLarge }
        return try gateway.preparePlacement(trader: trader, idempotencyHeader: key, body: request.body ?? ByteBuffer())
    }

    /// Records an order's answer and writes every answer now due, in request order.
    private func settle(_ id: UInt64, _ answer: APIAnswer, context: ChannelHandlerContext) {
        guard isActive else {
            // The connection closed before the answer (an accepted order is in the log all the same).
            gateway.metrics.increment(Self.undeliverable)
            return
        }
        guard let index = owed.firstIndex(where: { $0.id == id }) else { return }
        owed[index].answer = answer
        var wrote = false
        while let first = owed.first, let due = first.answer {
            owed.removeFirst()
            write(due, context: context)
            gateway.metrics.observe(method: "POST", route: ordersPath, status: due.status.code, since: first.started)
            wrote = true
        }
        if wrote {
            context.flush()
            drain(context: context, inReadCycle: false)
        }
    }

    private func write(_ answer: APIAnswer, context: ChannelHandlerContext) {
        answerWriter.write(encode(answer, allocator: context.channel.allocator))
        // For the connection-state handler, and the encoder's turn (see `PreEncodedAnswerWriter`).
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// The bytes NIO's encoder writes for the same answer sent as parts through the HTTP-types codec: status line,
    /// then the headers in the same order.
    private func encode(_ answer: APIAnswer, allocator: ByteBufferAllocator) -> ByteBuffer {
        let bodyLength = answer.body.utf8.count
        var buffer = allocator.buffer(capacity: 256 + bodyLength)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(answer.status.code))
        buffer.writeInteger(UInt8(ascii: " "))
        // NIO's phrase for the code, as its encoder writes (422 is "Unprocessable Entity" there, "Content" in
        // HTTPTypes; a replayed answer's status has no phrase of its own).
        let status = HTTPResponseStatus(statusCode: answer.status.code, reasonPhrase: answer.status.reasonPhrase)
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ")
        buffer.writeString(String(bodyLength))
        buffer.writeStaticString("\r\n")
        for field in answer.headers {
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Date: ")
        buffer.writeString(date.now())
        buffer.writeStaticString("\r\nServer: ")
        buffer.writeString(Gateway.serverName)
        buffer.writeStaticString("\r\n\r\n")
        buffer.writeString(answer.body)
        return buffer
    }

    /// Answers a client never got because its connection had closed first. (One that closes while the answer is
    /// on its way cannot be told apart: TCP accepts the write.)
    static let undeliverable = "exchange_gateway_fast_path_answers_undeliverable_total"

    // MARK: outbound

    private var mayRead: Bool { held.isEmpty && owed.count < Self.maxOwed }

    func read(context: ChannelHandlerContext) {
        if mayRead {
            context.read()
        } else {
            readDeferred = true
        }
    }

    /// The router's answers pass through; their end frees the next request.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // (Never below zero: the router also answers a request that did not parse, which it was not handed.)
            routerRequestsInFlight = max(0, routerRequestsInFlight - 1)
            context.write(data, promise: promise)
            if !held.isEmpty { drain(context: context, inReadCycle: false) }
            answerMalformedIfDue(context: context)
            return
        }
        context.write(data, promise: promise)
    }
}

/// Added through Hummingbird's `additionalChannelHandlers`, which come before its connection-state
/// handler: on the connection's first request part it puts an `OrderFastPathHandler` right behind
/// that handler, so the state handler sees the fast path's requests and answers, and a
/// `PreEncodedAnswerWriter` next to NIO's encoder, swaps Hummingbird's HTTP/1 codec for an
/// `OriginFormHTTPServerCodec`, then steps aside.
final class OrderFastPathInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let gateway: Gateway

    init(gateway: Gateway) { self.gateway = gateway }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let operations = context.pipeline.syncOperations
        if let codec = try? operations.handler(type: HTTP1ToHTTPServerCodec.self) {
            // (The codec holds no state: the rest of this request comes through the new one alike.)
            try? operations.addHandler(OriginFormHTTPServerCodec(), position: .after(codec))
            operations.removeHandler(codec, promise: nil)
        }
        let answerWriter = PreEncodedAnswerWriter()
        guard let encoder = try? operations.handler(type: HTTPResponseEncoder.self),
            (try? operations.addHandler(answerWriter, position: .after(encoder))) != nil
        else {
            // Not NIO's HTTP/1 pipeline (another server setup): the router serves every request.
            context.fireChannelRead(data)
            return operations.removeHandler(context: context, promise: nil)
        }
        let handler = OrderFastPathHandler(gateway: gateway, answerWriter: answerWriter)
        do {
            let state = try operations.context(handlerType: HTTPConnectionStateHandler.self)
            try operations.addHandler(handler, position: .after(state.handler))
        } catch {
            // No state handler (another server setup): the fast path still works right behind us.
            try? operations.addHandler(handler, position: .after(self))
        }
        context.fireChannelRead(data)
        operations.removeHandler(context: context, promise: nil)
    }
}
