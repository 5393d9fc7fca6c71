import ExchangeRecords

/// Orders and trades in Kite's shape, from the read model's state.
struct KiteOrderView {
    let tokens: KiteInstrumentTokens
    let terms: (String) -> KiteState.OrderTerms?

    /// The engine's status → Kite's. PARTIALLY_FILLED and REPLACED are OPEN (Kite shows fills in
    /// `filled_quantity`); an expired IOC or TTL order is CANCELLED, as Kite shows it.
    static func status(_ status: String) -> String {
        switch status {
        case "PENDING": "OPEN PENDING"
        case "NEW", "PARTIALLY_FILLED": "OPEN"
        case "REPLACED": "OPEN"
        case "FILLED": "COMPLETE"
        case "CANCELED", "EXPIRED": "CANCELLED"
        case "REJECTED": "REJECTED"
        default: status
        }
    }

    func order(_ o: ReadModel.OrderState) -> JSONValue {
        snapshot(o, status: o.status, reason: o.reason, priceMicros: o.priceMicros, quantity: o.quantity, filled: o.filled,
                 leaves: o.leaves, timestamp: o.updatedAt, modified: o.history.contains { $0.status == "REPLACED" })
    }

    /// Kite's order history: one snapshot per state the order went through.
    func history(_ o: ReadModel.OrderState) -> JSONValue {
        var modified = false
        return .array(o.history.map { h in
            // A refused cancel or modify leaves the order as it was: Kite shows it OPEN, with why in the message.
            let status = h.status == "REQUEST_REJECTED" ? "NEW" : h.status
            if h.status == "REPLACED" { modified = true }
            return snapshot(o, status: status, reason: h.reason, priceMicros: h.priceMicros ?? o.priceMicros, quantity: h.quantity,
                            filled: h.filled, leaves: h.leaves, timestamp: h.timestamp, modified: modified)
        })
    }

    private func snapshot(
        _ o: ReadModel.OrderState, status: String, reason: String?, priceMicros: Int64?, quantity: Int64, filled: Int64,
        leaves: Int64, timestamp: Int64, modified: Bool
    ) -> JSONValue {
        let entry = tokens.bySymbol[o.symbol]
        let orderTerms = terms(o.orderId)
        let kiteStatus = KiteOrderView.status(status)
        let cancelled: Int64 = kiteStatus == "CANCELLED" ? quantity - filled : 0
        let average: Int64 = filled > 0 && o.filled > 0 ? o.notional / o.filled : 0
        return .object([
            ("account_id", .string(o.traderId)), ("placed_by", .string(o.traderId)),
            ("order_id", .string(o.orderId)), ("exchange_order_id", .string(o.orderId)), ("parent_order_id", .null),
            ("status", .string(kiteStatus)), ("status_message", .optional(reason)), ("status_message_raw", .optional(reason)),
            ("order_timestamp", .string(KiteFormat.timestamp(o.createdAt))),
            ("exchange_update_timestamp", .string(KiteFormat.timestamp(timestamp))),
            ("exchange_timestamp", .string(KiteFormat.timestamp(o.createdAt))),
            ("variety", .string("regular")), ("modified", .bool(modified)),
            ("exchange", .string(entry?.rules.exchange ?? "")), ("tradingsymbol", .string(o.symbol)),
            ("instrument_token", .int(entry?.token ?? 0)),
            ("order_type", .string(o.orderType ?? "LIMIT")), ("transaction_type", .string(o.side)),
            ("validity", .string(o.timeInForce ?? "DAY")), ("validity_ttl", .int(o.validityTTL ?? 0)),
            ("product", .string(orderTerms?.product ?? "CNC")),
            ("quantity", .int(quantity)), ("disclosed_quantity", .int(0)),
            ("price", .micros(o.orderType == "MARKET" ? 0 : priceMicros ?? 0)), ("trigger_price", .int(0)),
            ("average_price", .micros(average)),
            ("filled_quantity", .int(filled)), ("pending_quantity", .int(ReadModel.openStatuses.contains(status) ? leaves : 0)),
            ("cancelled_quantity", .int(cancelled)), ("market_protection", .int(0)), ("meta", .object([])),
            ("tag", .optional(orderTerms?.tag)), ("tags", .array(orderTerms?.tag.map { [JSONValue.string($0)] } ?? [])),
            ("guid", .string(o.orderId)),
        ])
    }

    /// A fill of the gateway's trade view (`ReadModel.tradeView`) as a Kite trade.
    func trade(_ t: JSONValue, order: ReadModel.OrderState?) -> JSONValue {
        func text(_ key: String) -> String { if case .string(let s)? = t[key] { s } else { "" } }
        let symbol = text("symbol")
        let orderId = text("order_id")
        var fillTime: Int64 = 0
        if case .number(let n)? = t["fill_timestamp"] { fillTime = Int64(n) ?? 0 }
        return .object([
            ("trade_id", .string(text("trade_id"))), ("order_id", .string(orderId)), ("exchange_order_id", .string(orderId)),
            ("exchange", .string(tokens.bySymbol[symbol]?.rules.exchange ?? "")), ("tradingsymbol", .string(symbol)),
            ("instrument_token", .int(tokens.bySymbol[symbol]?.token ?? 0)),
            ("product", .string(terms(orderId)?.product ?? "CNC")),
            ("average_price", t["price"] ?? .int(0)), ("quantity", t["quantity"] ?? .int(0)),
            ("transaction_type", .string(text("side"))),
            ("fill_timestamp", .string(KiteFormat.timestamp(fillTime))),
            ("order_timestamp", .string(KiteFormat.timestamp(order?.createdAt ?? fillTime))),
            ("exchange_timestamp", .string(KiteFormat.timestamp(fillTime))),
        ])
    }
}
