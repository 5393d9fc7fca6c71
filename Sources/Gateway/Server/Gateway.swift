import ExchangeMetrics
import ExchangeRecords
import HTTPTypes
import History
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The trader-facing HTTP and WebSocket API: the command side validates and writes orders to
/// `incoming_orders` through an `OrderSink`; the query side answers from the `ReadModel`.
///
/// `router()` builds the routes (used by tests through HummingbirdTesting); `application()` wraps
/// them in a Hummingbird server with the WebSocket upgrade; `GatewayService` runs it with Kafka.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let instruments: InstrumentTable
    public let sink: any OrderSink
    public let readModel: ReadModel
    public let metrics: MetricsRegistry
    /// The trade and candle history (`exchange history` fills it); nil: its routes answer 503.
    public let history: (any HistoryReader)?
    let parser: OrderRequestParser
    let limiter: RateLimiter
    let idempotency: IdempotencyCache
    let authentication: AuthenticationMiddleware
    /// `GET <prefix>/openapi.json`, built once: its order schemas come from the instruments.
    let openAPIText: String
    /// The methods each documented path serves, for the 405's `Allow`.
    let allowedMethods: AllowedMethods
    /// Extra gauges for `/metrics` and facts for `/health` (Kafka lag, readiness), sampled per request.
    let status: @Sendable () -> [(name: String, help: String, value: Int64)]
    /// The Kite Connect layer's sessions and order terms (`Kite/`).
    let kite = KiteState()

    public init(
        configuration: GatewayConfiguration,
        instruments: [InstrumentRules],
        sink: any OrderSink,
        readModel: ReadModel = ReadModel(),
        metrics: MetricsRegistry = MetricsRegistry(),
        history: (any HistoryReader)? = nil,
        status: @escaping @Sendable () -> [(name: String, help: String, value: Int64)] = { [] }
    ) {
        self.configuration = configuration
        self.instruments = InstrumentTable(instruments, defaultMaxOrderQuantity: instruments.map(\.maxOrderQuantity).max() ?? InstrumentRules.defaultMaxOrderQuantity)
        self.sink = sink
        self.readModel = readModel
        self.metrics = metrics
        self.history = history
        metrics.describeGateway()
        self.parser = OrderRequestParser(instruments: self.instruments)
        self.limiter = RateLimiter(ratePerSecond: configuration.rateLimitPerSecond, burst: configuration.rateLimitBurst)
        self.idempotency = IdempotencyCache(capacity: configuration.idempotencyCapacity)
        self.authentication = AuthenticationMiddleware(authenticator: configuration.authenticator, limiter: limiter, metrics: metrics)
        self.openAPIText = OpenAPIDocument.document(prefix: configuration.prefix, instruments: instruments).serialized()
        self.allowedMethods = AllowedMethods(OpenAPIDocument.pathMethods(prefix: configuration.prefix))
        self.status = status
    }

    /// A Hummingbird application serving the router, with WebSocket upgrades on `<prefix>/ws`.
    /// `onListening` gets the bound port (port 0 picks one).
    public func application(
        logger: Logger = Logger(label: "exchange.gateway"), onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = self.router()
        let webSocketResponder = router.buildResponder()
        return Application(
            router: router,
            server: HTTPServerBuilder { [configuration] responder in
                let idle = TimeAmount.nanoseconds(Int64(configuration.idleTimeout / .nanoseconds(1)))
                // With the fast path, its handler keeps the idle timeout: Hummingbird's connection-state handler never
                // sees the orders, and would close a connection busy with nothing but orders.
                let http1 = HTTP1Channel.Configuration(
                    additionalChannelHandlers: self.connectionHandlers(), idleTimeout: configuration.fastOrderPath ? nil : idle)
                return MalformedRequestGuard(
                    HTTP1WebSocketUpgradeChannel(
                        responder: responder, webSocketResponder: webSocketResponder, configuration: .init(http1: http1)),
                    firstRequestTimeout: idle, screenFirstHead: { self.screenUpgrade(&$0) }, bodyGuard: { self.bodyGuard() })
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: Gateway.serverName),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// `POST /orders` requests answered on the event loop by `OrderFastPathHandler`.
    public var fastPathRequests: Int { Int(metrics.counter(Gateway.fastPathCounter)) }

    static let fastPathCounter = "exchange_gateway_fast_path_requests_total"

    func countFastPathRequest() { metrics.increment(Gateway.fastPathCounter) }

    /// Handlers each HTTP connection gets in front of the router.
    func connectionHandlers() -> [any RemovableChannelHandler] {
        configuration.fastOrderPath ? [OrderFastPathInstaller(gateway: self)] : [ConnectionPersistenceHandler.Installer()]
    }

    /// The bounds of every request body on a connection (`RequestBodyGuard`).
    func bodyGuard() -> RequestBodyGuard {
        RequestBodyGuard(
            bodyTimeout: .nanoseconds(Int64(configuration.bodyTimeout / .nanoseconds(1))),
            maxBodyRead: max(configuration.maxBodyRead, configuration.maxBodySize))
    }

    /// Serves `application()` until the task is cancelled (for tools that run the HTTP side alone).
    public func serve(logger: Logger = Logger(label: "exchange.gateway"), onListening: @escaping @Sendable (Int) async -> Void) async throws {
        try await application(logger: logger, onListening: onListening).runService(gracefulShutdownSignals: [])
    }

    public func router() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        let prefix = RouterPath(configuration.prefix)
        router.add(middleware: ErrorAndMetricsMiddleware(metrics: metrics, allowedMethods: allowedMethods))
        let open = router.group(prefix)
        open.get("health") { _, _ in self.health() }
        open.get("metrics") { _, _ in self.prometheus() }
        open.get("openapi.json") { _, _ in Response.json(text: self.openAPIText) }

        if configuration.kite.enabled { addKiteRoutes(to: router) }
        let api = router.group(prefix)
            .add(middleware: authentication)
        api.get("instruments") { _, _ in self.listInstruments() }
        api.post("orders") { request, context in try await self.placeOrder(request, context) }
        api.get("orders") { _, context in Response.success(self.readModel.orders(trader: try context.requireTrader().id)) }
        api.get("orders/{id}") { _, context in try self.getOrder(context) }
        api.put("orders/{id}") { request, context in try await self.modifyOrder(request, context) }
        api.delete("orders/{id}") { _, context in try await self.cancelOrder(context) }
        api.get("trades") { _, context in Response.success(self.readModel.trades(trader: try context.requireTrader().id)) }
        api.get("quote/{symbol}") { _, context in try self.getQuote(context) }
        api.get("sma/{symbol}") { _, context in Response.success(self.readModel.sma(try self.knownSymbol(context).symbol)) }
        api.get("profit") { _, _ in Response.success(self.readModel.profit()) }
        api.get("top-profit") { _, _ in Response.success(self.readModel.topProfit()) }
        api.get("history/{symbol}") { request, context in try await self.getCandles(request, context) }
        api.get("history/{symbol}/trades") { request, context in try await self.getHistoricalTrades(request, context) }
        api.get("history/{symbol}/sma") { request, context in try await self.getHistoricalMovingAverages(request, context) }
        api.get("history/{symbol}/profit") { request, context in try await self.getHistoricalProfits(request, context) }
        api.get("top-profit/history") { request, _ in try await self.getHistoricalTopProfits(request) }
        addWebSocketRoute(to: router.group(prefix))
        if configuration.serveUI { addUIRoutes(to: router) }
        return router
    }

    /// The `Server` header of every answer.
    static let serverName = "exchange-gateway"

    // MARK: handlers

    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    func health() -> Response {
        let counts = readModel.counts
        var members: [(String, JSONValue)] = [
            ("status", .string("ok")),
            ("orders_known", .int(counts.orders)),
            ("reports_applied", .int(counts.reportsApplied)),
            ("trades_applied", .int(counts.tradesApplied)),
        ]
        for gauge in status() { members.append((gauge.name, .int(gauge.value))) }
        return Response.json(.object(members))
    }

    func prometheus() -> Response {
        let counts = readModel.counts
        var gauges: [(name: String, help: String, value: Int64)] = [
            ("exchange_gateway_websocket_connections", "Open WebSocket connections.", Int64(readModel.hub.connectionCount)),
            ("exchange_gateway_read_model_orders", "Orders in the read model.", Int64(counts.orders)),
            ("exchange_gateway_read_model_reports_applied", "Execution reports applied.", counts.reportsApplied),
            ("exchange_gateway_read_model_trades_applied", "Trades applied.", counts.tradesApplied),
            ("exchange_gateway_read_model_duplicates_dropped", "Redelivered records dropped by seq.", counts.duplicatesDropped),
            ("exchange_gateway_read_model_orders_evicted", "Finished orders dropped by the per-trader cap.", counts.ordersEvicted),
            ("exchange_gateway_read_model_trades_evicted", "Fills dropped by the per-trader cap.", counts.tradesEvicted),
        ]
        gauges += status()
        let text = metrics.render(gauges: gauges)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func listInstruments() -> Response { Response.success(instrumentsView()) }

    /// Every listed instrument with its live last price and status (`GET /instruments`, the browser's list).
    func instrumentsView() -> JSONValue {
        .array(instruments.listed.map { entry in
            let i = entry.rules
            var fields: [(String, JSONValue)] = [
                ("symbol", .string(i.symbol)), ("name", .string(i.name)), ("exchange", .string(i.exchange)),
                ("tick_size", .micros(i.tickSizeMicros)), ("lot_size", .int(i.lotSize)),
                ("last_price", .micros(readModel.lastPrice(i.symbol) ?? i.referencePriceMicros)),
                ("reference_price", .micros(i.referencePriceMicros)),
                ("lower_circuit_limit", .micros(i.lowerBandMicros)), ("upper_circuit_limit", .micros(i.upperBandMicros)),
                ("max_order_quantity", .int(i.maxOrderQuantity)), ("status", .string(entry.status.rawValue)),
            ]
            if let reason = entry.haltReason { fields.append(("halt_reason", .string(reason))) }
            return .object(fields)
        })
    }

    /// A `{"type":"instrument","data":{symbol, status, halt_reason?}}` frame for every WebSocket client.
    public static func statusFrame(_ entry: InstrumentTable.Entry) -> String {
        var fields: [(String, JSONValue)] = [("symbol", .string(entry.rules.symbol)), ("status", .string(entry.status.rawValue))]
        if let reason = entry.haltReason { fields.append(("halt_reason", .string(reason))) }
        return MarketDataHub.frame("instrument", .object(fields))
    }

    func knownSymbol(_ context: GatewayRequestContext) throws(APIError) -> InstrumentRules {
        let symbol = context.parameters.get("symbol") ?? ""
        guard let instrument = instruments[symbol] else { throw APIError.notFound("unknown instrument '\(symbol)'") }
        return instrument
    }

    func getQuote(_ context: GatewayRequestContext) throws -> Response {
        let instrument = try knownSymbol(context)
        return Response.success(readModel.quote(instrument.symbol) ?? ReadModel.quoteView(instrument.symbol, ReadModel.SymbolState()))
    }

    func getOrder(_ context: GatewayRequestContext) throws -> Response {
        let trader = try context.requireTrader()
        let id = context.parameters.get("id") ?? ""
        guard let view = readModel.order(id, trader: trader.id) else { throw APIError.notFound("order '\(id)' not found") }
        return Response.success(view)
    }

    /// Reads the body within the size limit; anything larger is a 413 before it is buffered.
    func body(_ request: inout Request) async throws -> ByteBuffer {
        try checkBodyHeaders(contentType: request.headers.value(.contentType), contentLength: request.headers.value(.contentLength))
        do {
            return try await request.collectBody(upTo: configuration.maxBodySize)
        } catch is NIOTooManyBytesError {
            throw bodyTooLarge
        }
    }

    /// The checks a JSON body's headers get before the body is read: a JSON content type and a
    /// declared length within the limit.
    func checkBodyHeaders(contentType: String?, contentLength: String?) throws(APIError) {
        if let ct = contentType, !ASCII.hasPrefix(ct, caseInsensitive: "application/json") {
            throw APIError(status: .unsupportedMediaType, errorType: "InputException",
                           message: "Content-Type must be application/json", field: "Content-Type", reason: "must be application/json")
        }
        if let length = contentLength.flatMap(Int.init), length > configuration.maxBodySize { throw bodyTooLarge }
    }

    var bodyTooLarge: APIError {
        let limit = configuration.maxBodySize
        return APIError(status: .contentTooLarge, errorType: "InputException",
                        message: "body is larger than \(limit) bytes", field: "body", reason: "larger than \(limit) bytes")
    }

    func placeOrder(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let trader = try context.requireTrader()
        var request = request
        let idempotencyHeader = try Gateway.idempotencyKey(request.headers.value(Gateway.idempotencyKeyField))
        let buffer = try await body(&request)
        switch try preparePlacement(trader: trader, idempotencyHeader: idempotencyHeader, body: buffer) {
        case .answer(let answer):
            return answer.response
        case .submit(let order, let key):
            return try await submitPlacement(order, idempotencyKey: key).response
        }
    }

    /// Writes a prepared order to the log and gives its answer.
    func submitPlacement(_ order: NewOrder, idempotencyKey key: String?) async throws -> APIAnswer {
        let error: (any Error)?
        do {
            try await sink.submit(.new(order))
            error = nil
        } catch let failure {
            error = failure
        }
        return try finishPlacement(order, idempotencyKey: key, error: error)
    }

    /// What a place request needs once its body is read: an answer now, or its order written to the log.
    enum PlacementStep {
        case answer(APIAnswer)
        case submit(NewOrder, idempotencyKey: String?)
    }

    /// The `Idempotency-Key` header, checked before anything else of the body.
    static func idempotencyKey(_ key: String?) throws(APIError) -> String? {
        // Visible ASCII, as the OpenAPI document says: a key is copied between systems, and bytes beyond ASCII
        // arrive in a header as whatever the client's library made of them.
        if let key, key.isEmpty || key.utf8.count > 128 || !key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) {
            throw APIError.input("Idempotency-Key", "must be 1 to 128 visible ASCII characters")
        }
        return key
    }

    static let idempotencyKeyField = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayedField = HTTPField.Name("Idempotent-Replayed")!

    /// Everything of `POST /orders` up to the order log, synchronously, so the route and the
    /// event-loop fast path (`OrderFastPathHandler`) decide alike: parse and validate, then
    /// answer a retry of a known idempotency key, or hand back the order to write.
    func preparePlacement(trader: Trader, idempotencyHeader: String?, body: ByteBuffer) throws(APIError) -> PlacementStep {
        let placement: OrderRequestParser.Placement
        do {
            placement = try parser.parsePlacement(body.readableBytesView)
        } catch {
            metrics.increment("exchange_gateway_orders_rejected_total{field=\"\(error.field ?? "")\"}")
            throw error
        }

        let idempotencyKey = idempotencyHeader ?? placement.clientOrderId.map { "client_order_id:" + $0 }
        if let key = idempotencyKey {
            switch idempotency.reserve(trader: trader.id, key: key, fingerprint: placement.fingerprint) {
            case .reserved: break
            case .mismatched:
                throw Gateway.keyReused(field: idempotencyHeader == nil ? "client_order_id" : "Idempotency-Key", "a different order")
            case .inFlight:
                throw APIError(status: .conflict, errorType: "OrderException", message: "a request with this idempotency key is still in progress")
            case .answered(let status, let body):
                return .answer(replay(body, status: HTTPResponse.Status(code: status)))
            }
        }

        let orderId = idempotencyKey.map { OrderId.derived(trader: trader.id, idempotencyKey: $0) } ?? OrderId.random()
        if let key = idempotencyKey, let known = readModel.ownedOrder(orderId, trader: trader.id) {
            // A retry this instance has no answer for (placed before a restart, or through another gateway): the
            // order is already in the log, so answer as the first time did and place nothing.
            guard known.symbol == placement.symbol, known.side == placement.side.rawValue else {
                idempotency.abandon(trader: trader.id, key: key)
                throw Gateway.keyReused(
                    field: idempotencyHeader == nil ? "client_order_id" : "Idempotency-Key", "order \(orderId) (\(known.side) \(known.symbol))")
            }
            let text = Gateway.acceptedBody(orderId: orderId, clientOrderId: placement.clientOrderId)
            idempotency.complete(trader: trader.id, key: key, status: 202, body: text)
            return .answer(replay(text, status: .accepted))
        }

        if !configuration.limits.isEmpty, let instrument = instruments[placement.symbol],
            let reason = configuration.limits.refusal(placement, instrument: instrument, exposure: readModel.exposure(trader: trader.id))
        {
            if let key = idempotencyKey { idempotency.abandon(trader: trader.id, key: key) }
            metrics.increment("exchange_gateway_orders_limited_total{reason=\"\(reason.code)\"}")
            throw APIError(
                status: .unprocessableContent, errorType: "RiskException", message: "\(reason.code): \(reason.message)",
                field: reason == .maxOpenOrders ? "symbol" : "quantity", reason: "\(reason.code): \(reason.message)")
        }

        let now = Gateway.nowMillis()
        return .submit(NewOrder(
            orderId: orderId, clientOrderId: placement.clientOrderId, traderId: trader.id, stockSymbol: placement.symbol,
            side: placement.side, orderType: placement.type, price: placement.priceMicros.map(FixedDecimal.init(micros:)),
            quantity: placement.quantity, timeInForce: placement.timeInForce, validityTTL: placement.validityTTL,
            expireAt: placement.expireAt, timestamp: now), idempotencyKey: idempotencyKey)
    }

    /// The answer once the sink took the order (202) or could not (503, and the key is free again).
    func finishPlacement(_ order: NewOrder, idempotencyKey: String?, error: (any Error)?) throws(APIError) -> APIAnswer {
        let trader = order.traderId ?? ReadModel.unattributed  // the gateway's orders always name their trader
        if let error {
            if let key = idempotencyKey { idempotency.abandon(trader: trader, key: key) }
            metrics.increment("exchange_gateway_orders_unavailable_total")
            throw APIError(status: .serviceUnavailable, errorType: "NetworkException", message: "order log unavailable: \(error)")
        }
        readModel.recordAccepted(order)
        metrics.increment("exchange_gateway_orders_accepted_total")
        let text = Gateway.acceptedBody(orderId: order.orderId, clientOrderId: order.clientOrderId)
        if let key = idempotencyKey { idempotency.complete(trader: trader, key: key, status: 202, body: text) }
        return APIAnswer(status: .accepted, body: text)
    }

    /// 422 for an idempotency key reused for another order.
    static func keyReused(field: String, _ what: String) -> APIError {
        let reason = "already used for \(what); a retry must repeat the same order"
        return APIError(status: .unprocessableContent, errorType: "InputException", message: "\(field): \(reason)", field: field, reason: reason)
    }

    /// The first answer again, marked as a replay.
    func replay(_ body: String, status: HTTPResponse.Status) -> APIAnswer {
        metrics.increment("exchange_gateway_idempotent_replays_total")
        return APIAnswer(status: status, headers: [Gateway.idempotentReplayedField: "true"], body: body)
    }

    /// The 202 body of an accepted order (and of every idempotent replay of it).
    static func acceptedBody(orderId: String, clientOrderId: String?) -> String {
        // Written directly (same text as serializing the JSONValue): it is built once per order.
        var text = #"{"status":"success","data":{"order_id":"#
        text.reserveCapacity(128)
        JSONValue.writeString(orderId, to: &text)
        text += #","status":"ACCEPTED""#
        if let c = clientOrderId {
            text += #","client_order_id":"#
            JSONValue.writeString(c, to: &text)
        }
        text += "}}"
        return text
    }

    /// The order named in the path, if the caller owns it and it can still change.
    func openOwnedOrder(_ context: GatewayRequestContext) throws -> (id: String, trader: Trader, symbol: String, side: Side) {
        try openOwnedOrder(id: context.parameters.get("id") ?? "", trader: context.requireTrader())
    }

    func openOwnedOrder(id: String, trader: Trader) throws -> (id: String, trader: Trader, symbol: String, side: Side) {
        guard let owned = readModel.ownedOrder(id, trader: trader.id), let side = Side(rawValue: owned.side) else {
            throw APIError.notFound("order '\(id)' not found")
        }
        guard ReadModel.openStatuses.contains(owned.status) else {
            throw APIError(status: .conflict, errorType: "OrderException", message: "order '\(id)' is \(owned.status) and can no longer change")
        }
        return (id, trader, owned.symbol, side)
    }

    func modifyOrder(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let target = try openOwnedOrder(context)
        var request = request
        try await modify(target, body: try await body(&request).readableBytesView)
        return Response.success(.object([("order_id", .string(target.id)), ("status", .string("MODIFY_PENDING"))]), status: .accepted)
    }

    /// Checks a modification body against the order's instrument and writes it to the log.
    func modify(_ target: (id: String, trader: Trader, symbol: String, side: Side), body buffer: some Collection<UInt8>) async throws {
        guard let instrument = instruments[target.symbol] else { throw APIError.notFound("unknown instrument '\(target.symbol)'") }
        if instruments.status(target.symbol) == .halted {
            throw APIError(status: .conflict, errorType: "OrderException", message: "\(Reason.halted.code): trading in \(target.symbol) is halted")
        }
        let change = try parser.parseModification(buffer, instrument: instrument)
        try await submit(.modify(ModifyOrder(
            orderId: target.id, traderId: target.trader.id, stockSymbol: target.symbol, side: target.side,
            price: change.price.map(FixedDecimal.init(micros:)), quantity: change.quantity, timestamp: Gateway.nowMillis())))
        metrics.increment("exchange_gateway_modifies_accepted_total")
    }

    func cancelOrder(_ context: GatewayRequestContext) async throws -> Response {
        let target = try openOwnedOrder(context)
        try await cancel(target)
        return Response.success(.object([("order_id", .string(target.id)), ("status", .string("CANCEL_PENDING"))]), status: .accepted)
    }

    func cancel(_ target: (id: String, trader: Trader, symbol: String, side: Side)) async throws {
        try await submit(.cancel(CancelOrder(
            orderId: target.id, traderId: target.trader.id, stockSymbol: target.symbol, side: target.side, timestamp: Gateway.nowMillis())))
        metrics.increment("exchange_gateway_cancels_accepted_total")
    }

    func submit(_ command: IncomingOrder) async throws {
        do {
            try await sink.submit(command)
        } catch {
            throw APIError(status: .serviceUnavailable, errorType: "NetworkException", message: "order log unavailable: \(error)")
        }
    }
}
