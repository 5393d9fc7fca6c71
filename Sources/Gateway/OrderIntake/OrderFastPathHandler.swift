import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Serves `POST <prefix>/orders` on the connection's event loop, in front of Hummingbird's HTTP-types codec and async
/// request handling: a task, an async sequence and a response writer per request cost about four times what the
/// order itself does, and converting each request head to HTTP types and its answer back cost about 2 µs more. The
/// decisions are the route's own (`Gateway.authorize`, `preparePlacement`, `finishPlacement`) and an order reaches
/// Kafka through the route's `OrderSink.submit`, so both answer alike; every other request, and an order request with
/// `Connection: close` or `Expect` (see `OrderRequestHead`), goes on to Hummingbird untouched. Its state is two enums,
/// the request being read (`Reading`) and the connection's `Lifecycle`, with the answers owed in request order.
///
/// It sits right behind NIO's request decoder (see `OrderFastPathInstaller`) and keeps the connection's state for
/// both kinds of request, in place of Hummingbird's connection-state handler, which never sees the orders: the idle
/// timeout (a connection with no request for `idleTimeout` closes; one waiting for an answer does not), and graceful
/// shutdown (on `ChannelShouldQuiesceEvent` the connection closes once every request it has read is answered). It
/// keeps answers in request order on a pipelining connection: a request for the router waits while orders are still
/// unanswered, and an order goes to the router while the router still owes an answer.
final class OrderFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// An order request being read.
    private struct OrderRequest {
        var head: OrderRequestHead
        var body: ByteBuffer?
        var tooLarge = false
    }

    private enum Reading {
        case betweenRequests
        case order(OrderRequest)
        /// The body of an order already answered (its declared length is over the limit), read and dropped.
        case discarding
        case forwarding
    }

    /// An answer owed, in request order; `answer` stays nil until the order log decides it.
    private struct Owed {
        var id: UInt64
        var started: ContinuousClock.Instant
        var confirmsKeepAlive: Bool
        var answer: APIAnswer?
    }

    /// Unanswered orders a connection may have before reading stops (pipelining clients).
    static let maxOwed = 64

    private let gateway: Gateway
    private let ordersPath: String
    private var reading = Reading.betweenRequests
    private var owed = CircularBuffer<Owed>()
    private var nextId: UInt64 = 0
    private var routerRequestsInFlight = 0
    /// Parts that wait for owed answers before they may go on.
    private var held = CircularBuffer<HTTPServerRequestPart>()
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
    /// A request that did not parse while the router was not reading one, or one `RequestHeadRules` refuses: it gets
    /// its JSON error and the connection closes, once every answer owed before it is written; what came after it is
    /// dropped. (Hummingbird's own answer to a request that did not parse has an empty body.)
    private struct Refusal {
        var error: APIError
        /// The refusal is for a head taken in turn, so the parts after it are dropped. (After a request that did not
        /// parse the decoder sends nothing more, and the parts held before it still go on.)
        var dropsRest: Bool
    }

    /// The connection's lifecycle; it only moves forward.
    private enum Lifecycle: Comparable {
        case open
        /// Graceful shutdown (`ChannelShouldQuiesceEvent`): the connection closes once every request it has read is
        /// answered.
        case quiescing
        /// The close is asked for (a refusal answered, quiesced, idle): nothing more is written.
        case closing
        /// The channel is inactive or the handler removed: answers still to come go nowhere.
        case closed
    }

    private var refusal: Refusal?
    private var lifecycle = Lifecycle.open

    /// Moves the lifecycle forward to `next` (never back).
    private func advance(to next: Lifecycle) { lifecycle = max(lifecycle, next) }
    private var date = HTTPDate()
    private var credential: RememberedCredential?
    private let gate: EncoderOutputGate
    private let idleTimeout: TimeAmount?
    private var idleCheck: Scheduled<Void>?
    /// When a request part last arrived, or the last answer owed went out.
    private var lastActive = NIODeadline.now()
    private var partsThisRead = false
    private var droppingAnswerToNothing = false

    init(gateway: Gateway, gate: EncoderOutputGate) {
        self.gateway = gateway
        self.gate = gate
        self.ordersPath = gateway.configuration.prefix + "/orders"
        let idle = gateway.configuration.idleTimeout
        self.idleTimeout = idle > .zero ? .nanoseconds(Int64(idle / .nanoseconds(1))) : nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        scheduleIdleCheck(context: context, at: lastActive)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        advance(to: .closed)
        idleCheck?.cancel()
        idleCheck = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        advance(to: .closed)
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    /// The connection's first request, which reached the installer converted: an order starts here; any other
    /// request is the router's (the installer passes its head on), and this handler sees the rest of its parts.
    func begin(_ request: HTTPRequest, context: ChannelHandlerContext) -> Bool {
        if let head = OrderRequestHead(request, ordersPath: ordersPath) {
            startOrder(head, context: context)
            return true
        }
        routerRequestsInFlight = 1
        reading = .forwarding
        return false
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partsThisRead = true
        held.append(unwrapInboundIn(data))
        drain(context: context, inReadCycle: true)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if partsThisRead {
            partsThisRead = false
            lastActive = .now()
        }
        context.fireChannelReadComplete()
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
        answerRefusalIfDue(context: context)
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
    private func take(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) -> Bool {
        if refusal?.dropsRest == true { return true }  // after a refused request: dropped
        switch reading {
        case .betweenRequests:
            guard case .head(let received) = part else {
                forward(part, context: context)
                return true
            }
            let head = ConnectionPersistence.normalizedAfterUpgradeHandler(received)
            if routerRequestsInFlight == 0, let order = OrderRequestHead(head, ordersPath: ordersPath) {
                startOrder(order, context: context)
                return true
            }
            if let violation = RequestHeadRules.violation(head) {
                refusal = Refusal(error: violation, dropsRest: true)
                return true
            }
            guard owed.isEmpty else { return false }
            if routerRequestsInFlight == 0, ContinueAnswer.isAwaited(head) { ContinueAnswer.write(context: context) }
            forward(.head(head), context: context)
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
        case .discarding:
            if case .end = part { reading = .betweenRequests }
        case .forwarding:
            forward(part, context: context)
        }
        return true
    }

    private func startOrder(_ head: OrderRequestHead, context: ChannelHandlerContext) {
        guard let declared = head.contentLength.flatMap(Int.init), declared > gateway.configuration.maxBodySize else {
            reading = .order(OrderRequest(head: head))
            return
        }
        // Answered now, as the route answers before it reads such a body (its 413, after the credentials), so the
        // client need not send it all first; the body is still read, so the connection stays usable.
        reading = .discarding
        place(OrderRequest(head: head, body: nil, tooLarge: true), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Not passed on: Hummingbird's connection-state handler would close a connection whose orders are unanswered.
            advance(to: .quiescing)
            return closeIfQuiesced(context: context)
        }
        guard case ChannelEvent.inputClosed? = event as? ChannelEvent, mustWait else {
            return context.fireUserInboundEventTriggered(event)
        }
        heldInputClosed = true
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if refusal != nil { return }  // the decoder's errors for the bytes after the bad request
        if let parserError = error as? HTTPParserError {
            if case .forwarding = reading {
                // The router has the bad request's head and waits for the rest: it answers (and closes) itself.
            } else {
                refusal = Refusal(error: .malformedRequest(parserError), dropsRest: false)
                reading = .betweenRequests  // an order whose body did not parse is not placed
                return answerRefusalIfDue(context: context)
            }
        }
        guard mustWait else { return context.fireErrorCaught(error) }
        heldErrors.append(error)
    }

    /// The refused request's JSON error, then the close, once the requests before it are answered (the orders' and
    /// the router's).
    private func answerRefusalIfDue(context: ChannelHandlerContext) {
        guard let refusal, lifecycle < .closing, held.isEmpty, owed.isEmpty, routerRequestsInFlight == 0 else { return }
        advance(to: .closing)
        var answer = APIAnswer(refusal.error)
        answer.headers[.connection] = "close"
        // Without taking a turn in the encoder: a request that never parsed was never queued there, and nothing is
        // answered after this one.
        gate.writeLast(encode(answer, allocator: context.channel.allocator))
        context.flush()
        context.close(promise: nil)
    }

    /// Whether an event for the router must wait: answers or parts before it are still pending.
    private var mustWait: Bool { !heldErrors.isEmpty || !held.isEmpty || !owed.isEmpty }

    private func forward(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
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

    // MARK: connection state

    /// Whether every request read so far is answered and none is half read.
    private var isIdle: Bool {
        guard owed.isEmpty, routerRequestsInFlight == 0, held.isEmpty, case .betweenRequests = reading else { return false }
        return true
    }

    /// Called after the last answer owed is written: the idle time counts from it (a check that found answers owed
    /// did not come back), and a quiescing connection with no request half read closes.
    private func answeredAll(context: ChannelHandlerContext) {
        lastActive = .now()
        scheduleIdleCheck(context: context, at: lastActive)
        closeIfQuiesced(context: context)
    }

    private func closeIfQuiesced(context: ChannelHandlerContext) {
        guard lifecycle == .quiescing, isIdle else { return }
        advance(to: .closing)
        context.flush()
        context.close(promise: nil)
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, at start: NIODeadline) {
        guard let idleTimeout, idleCheck == nil, lifecycle < .closed else { return }
        idleCheck = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: start + idleTimeout) {
            self.idleCheck = nil
            self.checkIdle(context: context)
        }
    }

    /// As Hummingbird's connection-state handler: a connection waiting for an answer stays open (the check comes back
    /// when the answers are out); otherwise it closes when nothing arrived for `idleTimeout`, a half-read request too.
    private func checkIdle(context: ChannelHandlerContext) {
        guard let idleTimeout, lifecycle < .closing else { return }
        if case .betweenRequests = reading, !isIdle { return }
        if NIODeadline.now() >= lastActive + idleTimeout {
            context.close(promise: nil)
        } else {
            scheduleIdleCheck(context: context, at: lastActive)
        }
    }

    // MARK: placing

    private func place(_ request: OrderRequest, context: ChannelHandlerContext) {
        let id = nextId
        nextId &+= 1
        owed.append(Owed(id: id, started: .now, confirmsKeepAlive: request.head.confirmsKeepAlive, answer: nil))
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
                // Back on the connection's event loop before anything changes: the delivery report arrives on a
                // librdkafka thread, and the read model is changed from event loops and tasks only, as the route does.
                loop.execute {
                    let answer: APIAnswer
                    do throws(APIError) {
                        answer = try gateway.finishPlacement(order, idempotencyKey: key, error: error)
                    } catch {
                        answer = APIAnswer(error)
                    }
                    bound.value.handler.settle(id, answer, context: bound.value.context)
                }
            }
        }
    }

    /// The route's checks, in the route's order: credentials and rate limit, the idempotency key,
    /// the body's headers and size, then the order itself.
    private func prepare(_ request: OrderRequest) throws(APIError) -> Gateway.PlacementStep {
        let head = request.head
        let trader = try gateway.authentication.authorize(authorization: head.authorization, query: head.query, remembered: &credential)
        let key = try Gateway.idempotencyKey(head.idempotencyKey)
        try gateway.checkBodyHeaders(contentType: head.contentType, contentLength: head.contentLength)
        if request.tooLarge { throw gateway.bodyTooLarge }
        return try gateway.preparePlacement(trader: trader, idempotencyHeader: key, body: request.body ?? ByteBuffer())
    }

    /// Records an order's answer and writes every answer now due, in request order.
    private func settle(_ id: UInt64, _ answer: APIAnswer, context: ChannelHandlerContext) {
        guard lifecycle < .closed else {
            // The connection closed before the answer (an accepted order is in the log all the same).
            gateway.metrics.increment(Self.undeliverable)
            return
        }
        guard let index = owed.firstIndex(where: { $0.id == id }) else { return }
        owed[index].answer = answer
        var wrote = false
        while let first = owed.first, var due = first.answer {
            owed.removeFirst()
            if first.confirmsKeepAlive { due.headers[.connection] = "keep-alive" }
            gate.writeAnswer(encode(due, allocator: context.channel.allocator), above: context)
            gateway.metrics.observe(method: "POST", route: ordersPath, status: due.status.code, since: first.started)
            wrote = true
        }
        if wrote {
            context.flush()
            drain(context: context, inReadCycle: false)
            if owed.isEmpty, routerRequestsInFlight == 0 { answeredAll(context: context) }
        }
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
        let part = unwrapOutboundIn(data)
        if case .head = part, routerRequestsInFlight == 0 { droppingAnswerToNothing = true }
        if droppingAnswerToNothing {
            // An answer when the router owes none: Hummingbird's empty 400 for a body that did not parse, after the
            // route had answered without reading it (a 404, say). A second answer to one request would be taken for
            // the next request's; the connection closes instead, as the bytes after the bad ones cannot be read.
            promise?.succeed(())
            if case .end = part {
                droppingAnswerToNothing = false
                context.flush()
                context.close(promise: nil)
            }
            return
        }
        guard case .end = part else { return context.write(data, promise: promise) }
        routerRequestsInFlight -= 1
        context.write(data, promise: promise)
        if !held.isEmpty { drain(context: context, inReadCycle: false) }
        answerRefusalIfDue(context: context)
        if owed.isEmpty, routerRequestsInFlight == 0 { answeredAll(context: context) }
    }
}

/// Added through Hummingbird's `additionalChannelHandlers`, which come right after its HTTP-types codec: on the
/// connection's first request head it swaps that codec for an `OriginFormHTTPServerCodec`, puts an
/// `OrderFastPathHandler` in front of it (behind NIO's decoder) and an `EncoderOutputGate` below NIO's encoder, then
/// steps aside. The first request, already converted, is the handler's if it is an order; the router's otherwise.
final class OrderFastPathInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let gateway: Gateway

    init(gateway: Gateway) { self.gateway = gateway }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let operations = context.pipeline.syncOperations
        defer { operations.removeHandler(context: context, promise: nil) }
        let gate = EncoderOutputGate()
        guard case .head(let head) = unwrapInboundIn(data),
            let codec = try? operations.handler(type: HTTP1ToHTTPServerCodec.self),
            let encoder = try? operations.handler(type: HTTPResponseEncoder.self),
            (try? operations.addHandler(gate, position: .before(encoder))) != nil
        else {
            // Not NIO's HTTP/1 pipeline with Hummingbird's codec (another server setup): the router serves every request.
            return context.fireChannelRead(data)
        }
        let handler = OrderFastPathHandler(gateway: gateway, gate: gate)
        // (The codec holds no state: the rest of this request comes through the new one alike.)
        let originForm = OriginFormHTTPServerCodec()
        try? operations.addHandler(originForm, position: .after(codec))
        operations.removeHandler(codec, promise: nil)
        guard (try? operations.addHandler(handler, position: .before(originForm))) != nil,
            let handlerContext = try? operations.context(handler: handler)
        else { return context.fireChannelRead(data) }
        if !handler.begin(head, context: handlerContext) { context.fireChannelRead(data) }
    }
}
