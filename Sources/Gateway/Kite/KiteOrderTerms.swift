import ExchangeRecords

/// Kite's order parameters turned into the gateway's own order request (the JSON body `OrderRequestParser` reads),
/// so a Kite order is validated exactly as any other. What the engine does not have is refused with an
/// `InputException` naming it, never mapped to something else.
enum KiteOrderTerms {
    static let products: Set<String> = ["CNC", "MIS", "NRML", "MTF"]
    static let supportedVarieties = "regular"
    /// The gateway's field → Kite's name for it, for errors the shared parser reports.
    static let kiteField = [
        "symbol": "tradingsymbol", "side": "transaction_type", "client_order_id": "tag", "body": "body",
    ]

    /// The placement body for `POST /orders/:variety`, and the Kite-only terms kept beside the order.
    static func placement(variety: String, form: KiteForm, instrument: (String) -> InstrumentRules?) throws(APIError)
        -> (body: String, terms: KiteState.OrderTerms)
    {
        try checkVariety(variety)
        guard let symbol = form["tradingsymbol"], !symbol.isEmpty else { throw APIError.input("tradingsymbol", "is required") }
        guard let exchange = form["exchange"], !exchange.isEmpty else { throw APIError.input("exchange", "is required") }
        if let rules = instrument(symbol), rules.exchange != exchange {
            throw APIError.input("exchange", "\(symbol) is listed on \(rules.exchange), not \(exchange)")
        }
        guard let side = form["transaction_type"], side == "BUY" || side == "SELL" else {
            throw APIError.input("transaction_type", "must be BUY or SELL")
        }
        guard let product = form["product"], products.contains(product) else {
            throw APIError.input("product", "must be one of \(products.sorted().joined(separator: ", "))")
        }
        let orderType = try self.orderType(form["order_type"], required: true) ?? "LIMIT"
        try checkUnsupported(form)
        if let autoslice = form["autoslice"], autoslice != "false" {
            throw unsupported("autoslice", "autoslice is not supported by this exchange")
        }
        if let legs = form["iceberg_legs"], legs != "0" { throw unsupported("iceberg_legs", "iceberg orders are not supported by this exchange") }
        if let quantity = form["iceberg_quantity"], quantity != "0" {
            throw unsupported("iceberg_quantity", "iceberg orders are not supported by this exchange")
        }
        if let auction = form["auction_number"], !auction.isEmpty { throw unsupported("auction_number", "auctions are not supported by this exchange") }
        if let tag = form["tag"] {
            guard (1...20).contains(tag.utf8.count), tag.utf8.allSatisfy({ OrderRequestParser.isIdentifierByte($0) }) else {
                throw APIError.input("tag", "must be 1 to 20 characters of A-Z a-z 0-9 _ - . :")
            }
        }

        var members: [(String, JSONValue)] = [
            ("symbol", .string(symbol)), ("side", .string(side)), ("order_type", .string(orderType)),
            ("quantity", try number("quantity", form["quantity"], required: true) ?? .null),
        ]
        let price = try number("price", form["price"], required: false)
        if orderType == "LIMIT" {
            guard let price else { throw APIError.input("price", "is required for LIMIT orders") }
            members.append(("price", price))
        } else if price != nil, Double(form["price"] ?? "") != 0 {
            // Kite's clients send price=0 with a MARKET order.
            throw APIError.input("price", "must be 0 or absent for MARKET orders")
        }
        let validity = form["validity"] ?? "DAY"
        switch validity {
        case "DAY", "IOC": members.append(("validity", .string(validity)))
        case "TTL":
            members.append(("validity", .string("TTL")))
            guard let ttl = try number("validity_ttl", form["validity_ttl"], required: true) else { break }
            members.append(("validity_ttl", ttl))
        default: throw APIError.input("validity", "must be DAY, IOC or TTL")
        }
        return (JSONValue.object(members).serialized(), KiteState.OrderTerms(product: product, tag: form["tag"]))
    }

    /// The modification body for `PUT /orders/:variety/:order_id`: a new price and/or quantity.
    static func modification(variety: String, form: KiteForm, current: (orderType: String?, validity: String?)) throws(APIError) -> String {
        try checkVariety(variety)
        try checkUnsupported(form)
        if let type = try orderType(form["order_type"], required: false), let was = current.orderType, type != was {
            throw unsupported("order_type", "changing an order's type (\(was) to \(type)) is not supported by this exchange")
        }
        if let validity = form["validity"], let was = current.validity, validity != was {
            throw unsupported("validity", "changing an order's validity (\(was) to \(validity)) is not supported by this exchange")
        }
        var members: [(String, JSONValue)] = []
        if let price = try number("price", form["price"], required: false) { members.append(("price", price)) }
        if let quantity = try number("quantity", form["quantity"], required: false) { members.append(("quantity", quantity)) }
        return JSONValue.object(members).serialized()
    }

    static func checkVariety(_ variety: String) throws(APIError) {
        guard variety == supportedVarieties else {
            throw unsupported("variety", "variety '\(variety)' is not supported by this exchange (only regular)")
        }
    }

    /// SL and SL-M, trigger prices, disclosed quantities and market protection: the engine has none of them.
    static func checkUnsupported(_ form: KiteForm) throws(APIError) {
        if let trigger = form["trigger_price"], Double(trigger) != 0 {
            throw unsupported("trigger_price", "trigger prices (SL, SL-M orders) are not supported by this exchange")
        }
        if let disclosed = form["disclosed_quantity"], disclosed != "0" {
            throw unsupported("disclosed_quantity", "disclosed quantities are not supported by this exchange")
        }
        if let protection = form["market_protection"], protection != "0" {
            throw unsupported("market_protection", "market protection is not supported by this exchange (MARKET orders are bounded by the price band)")
        }
    }

    static func orderType(_ text: String?, required: Bool) throws(APIError) -> String? {
        guard let text else {
            if required { throw APIError.input("order_type", "is required") }
            return nil
        }
        switch text {
        case "LIMIT", "MARKET": return text
        case "SL", "SL-M": throw unsupported("order_type", "order type \(text) is not supported by this exchange (only MARKET and LIMIT)")
        default: throw APIError.input("order_type", "must be MARKET or LIMIT")
        }
    }

    static func unsupported(_ field: String, _ message: String) -> APIError {
        APIError(status: .badRequest, errorType: "InputException", message: message, field: field, reason: "not supported")
    }

    /// A form value as a JSON number (digits, one dot, a leading minus), for the shared parser to check.
    static func number(_ field: String, _ text: String?, required: Bool) throws(APIError) -> JSONValue? {
        guard let text, !text.isEmpty else {
            if required { throw APIError.input(field, "is required") }
            return nil
        }
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let dots = bytes.filter { $0 == UInt8(ascii: ".") }.count
        guard !bytes.isEmpty, dots <= 1, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: "."),
              bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") })
        else { throw APIError.input(field, "must be a number, not '\(text)'") }
        return .number(text)
    }

    /// An error of the shared parser with Kite's field names.
    static func renamed(_ error: APIError) -> APIError {
        guard let field = error.field, let kite = kiteField[field] else { return error }
        var renamed = error
        renamed.field = kite
        if let reason = error.reason { renamed.message = "\(kite): \(reason)" }
        return renamed
    }
}
