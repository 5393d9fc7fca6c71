import ExchangeRecords
import Hummingbird

/// Kite's order routes over the gateway's own placement, modification and cancellation, and the read model.
extension Gateway {
    var kiteOrderView: KiteOrderView { KiteOrderView(tokens: kiteTokens, terms: { self.kite.terms($0) }) }

    /// `POST /orders/:variety`: the order goes through the same checks, idempotency, limits and log as `POST /v1/orders`.
    func kitePlace(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let trader = try context.requireTrader()
        let form = try await kiteForm(request)
        let (body, terms) = try KiteOrderTerms.placement(
            variety: context.parameters.get("id") ?? "", form: form, instrument: { self.instruments[$0] })
        let step: PlacementStep
        do {
            step = try preparePlacement(trader: trader, idempotencyHeader: nil, body: ByteBuffer(string: body))
        } catch {
            throw KiteOrderTerms.renamed(error)
        }
        guard case .submit(let order, let key) = step else {
            // Without an idempotency key (Kite has none) there is no earlier answer to repeat.
            throw APIError(status: .internalServerError, errorType: "GeneralException", message: "unexpected idempotent replay")
        }
        kite.record(orderId: order.orderId, terms)
        _ = try await submitPlacement(order, idempotencyKey: key)
        return Response.kite(.object([("order_id", .string(order.orderId))]))
    }

    /// `PUT /orders/:variety/:order_id`: a new price and/or quantity.
    func kiteModify(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let trader = try context.requireTrader()
        let id = context.parameters.get("order_id") ?? ""
        let form = try await kiteForm(request)
        let target = try kiteOpenOrder(id: id, trader: trader)
        let current = readModel.orderState(id, trader: trader.id)
        let body = try KiteOrderTerms.modification(
            variety: context.parameters.get("id") ?? "", form: form, current: (current?.orderType, current?.timeInForce))
        do {
            try await modify(target, body: Array(body.utf8))
        } catch let error as APIError {
            throw KiteOrderTerms.renamed(error)
        }
        return Response.kite(.object([("order_id", .string(id))]))
    }

    /// `DELETE /orders/:variety/:order_id`.
    func kiteCancel(_ context: GatewayRequestContext) async throws -> Response {
        let trader = try context.requireTrader()
        try KiteOrderTerms.checkVariety(context.parameters.get("id") ?? "")
        let id = context.parameters.get("order_id") ?? ""
        try await cancel(try kiteOpenOrder(id: id, trader: trader))
        return Response.kite(.object([("order_id", .string(id))]))
    }

    /// An open order of the trader, or Kite's errors: not found, or no longer open (`OrderException`).
    func kiteOpenOrder(id: String, trader: Trader) throws -> (id: String, trader: Trader, symbol: String, side: Side) {
        do {
            return try openOwnedOrder(id: id, trader: trader)
        } catch var error as APIError {
            if error.errorType == "OrderException", let status = readModel.ownedOrder(id, trader: trader.id)?.status {
                error.status = .badRequest
                error.message = "order '\(id)' is \(KiteOrderView.status(status)) and can no longer be modified or cancelled"
            }
            throw error
        }
    }

    func kiteOrders(_ context: GatewayRequestContext) throws -> Response {
        let view = kiteOrderView
        return Response.kite(.array(readModel.orderStates(trader: try context.requireTrader().id).map(view.order)))
    }

    /// `GET /orders/:order_id`: the order's history, oldest first.
    func kiteOrderHistory(_ context: GatewayRequestContext) throws -> Response {
        let order = try kiteOwnedOrder(context)
        return Response.kite(kiteOrderView.history(order))
    }

    func kiteOrderTrades(_ context: GatewayRequestContext) throws -> Response {
        let trader = try context.requireTrader().id
        let order = try kiteOwnedOrder(context)
        let view = kiteOrderView
        return Response.kite(.array(readModel.tradeViews(trader: trader)
            .filter { $0["order_id"] == .string(order.orderId) }
            .map { view.trade($0, order: order) }))
    }

    func kiteTrades(_ context: GatewayRequestContext) throws -> Response {
        let trader = try context.requireTrader().id
        let view = kiteOrderView
        return Response.kite(.array(readModel.tradeViews(trader: trader).map { t in
            let orderId: String = if case .string(let s)? = t["order_id"] { s } else { "" }
            return view.trade(t, order: readModel.orderState(orderId, trader: trader))
        }))
    }

    func kiteOwnedOrder(_ context: GatewayRequestContext) throws -> ReadModel.OrderState {
        let id = context.parameters.get("id") ?? ""
        guard let order = readModel.orderState(id, trader: try context.requireTrader().id) else {
            throw APIError.notFound("order '\(id)' not found")
        }
        return order
    }
}
