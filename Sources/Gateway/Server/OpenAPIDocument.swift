import ExchangeRecords
/// The OpenAPI 3.1 description of every route (`GET <prefix>/openapi.json`).
///
/// Written by hand next to the routes; `GatewayTests` checks that the router's routes and this
/// document's paths and methods are the same set, so neither can drift, and a contract test runs
/// Schemathesis against a live gateway, so the schemas and statuses say what the gateway answers.
/// The order schemas come from the instrument catalogue: a request the schema calls valid is one
/// the gateway accepts (known symbol, price on the tick grid inside the band, quantity a multiple
/// of the lot size up to the maximum).
public enum OpenAPIDocument {
    public static func document(prefix: String, instruments: [InstrumentRules] = InstrumentRules.seed) -> JSONValue {
        let text = template
            .replacingOccurrences(of: "{{P}}", with: prefix)
            .replacingOccurrences(of: "{{SYMBOLS}}", with: JSONValue.array(instruments.map { .string($0.symbol) }).serialized())
            .replacingOccurrences(of: "{{ORDER_VARIANTS}}", with: JSONValue.array(orderVariants(instruments)).serialized())
            .replacingOccurrences(of: "{{MODIFY_REQUEST}}", with: modifyRequest(instruments).serialized())
            .replacingOccurrences(of: "{{MAX_TTL}}", with: String(OrderRequestParser.maxTTLMinutes))
        do {
            return try JSONValue.parse(Array(text.utf8))
        } catch {
            return .object([("error", .string("openapi template is not JSON at byte \(error.offset): \(error.reason)"))])
        }
    }

    /// `(METHOD, path)` pairs the document describes.
    public static func operations(prefix: String) -> Set<String> {
        Set(pathMethods(prefix: prefix).flatMap { path, methods in methods.map { "\($0) \(path)" } })
    }

    /// Each path template of the document and its methods (upper case).
    static func pathMethods(prefix: String) -> [(path: String, methods: [String])] {
        guard case .object(let paths)? = document(prefix: prefix)["paths"] else { return [] }
        return paths.map { path, item in
            guard case .object(let members) = item else { return (path, []) }
            return (path, members.map(\.0).filter(httpMethods.contains).map { $0.uppercased() })
        }
    }

    static let httpMethods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// One object schema per instrument, order type and kind of validity: JSON Schema cannot tie the
    /// price grid to the symbol any other way, and MARKET (no price), TTL (`validity_ttl` required) and
    /// GTD (`expire_at` required) change which fields exist. An `expire_at` already past is accepted here and
    /// refused by the engine (a REJECTED order, `EXPIRE_AT_PASSED`), whose event-time clock decides.
    static func orderVariants(_ instruments: [InstrumentRules]) -> [JSONValue] {
        var variants: [JSONValue] = []
        for instrument in instruments {
            for type in ["LIMIT", "MARKET"] {
                for validity in ["plain", "TTL", "GTD"] {
                    var required = ["symbol", "side", "order_type", "quantity"]
                    var properties: [(String, JSONValue)] = [
                        ("symbol", .object([("const", .string(instrument.symbol))])),
                        ("side", ref("Side")),
                        ("order_type", .object([("const", .string(type))])),
                        ("quantity", quantitySchema(instrument)),
                    ]
                    if type == "LIMIT" {
                        required.append("price")
                        properties.append(("price", priceSchema(instrument)))
                    } else {
                        properties.append(("price", .object([("type", .string("null"))])))
                    }
                    switch validity {
                    case "TTL":
                        required += ["validity", "validity_ttl"]
                        properties.append(("validity", .object([("const", .string("TTL"))])))
                        properties.append(("validity_ttl", ref("ValidityTTL")))
                    case "GTD":
                        required += ["validity", "expire_at"]
                        properties.append(("validity", .object([("const", .string("GTD"))])))
                        properties.append(("expire_at", .object([
                            ("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(OrderRequestParser.latestExpiry)),
                            ("description", .string("epoch ms; an instant already past is refused by the engine (EXPIRE_AT_PASSED)")),
                        ])))
                    default:
                        properties.append(("validity", .object([("enum", .array(["DAY", "GTC", "IOC", "FOK"].map(JSONValue.string)))])))
                    }
                    properties.append(("client_order_id", ref("ClientOrderId")))
                    variants.append(.object([
                        ("type", .string("object")), ("additionalProperties", .bool(false)),
                        ("required", .array(required.map(JSONValue.string))), ("properties", .object(properties)),
                    ]))
                }
            }
        }
        return variants
    }

    /// A modify request does not name the symbol, so its bounds are those of every instrument together: the order's
    /// own instrument may still refuse a price or quantity inside them (400 naming the field, as documented).
    static func modifyRequest(_ instruments: [InstrumentRules]) -> JSONValue {
        func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
        let union = InstrumentRules(
            symbol: "", name: "", tickSizeMicros: instruments.map(\.tickSizeMicros).reduce(0, gcd), lotSize: instruments.map(\.lotSize).reduce(0, gcd),
            referencePriceMicros: 0, lowerBandMicros: instruments.map(\.lowerBandMicros).min() ?? 0,
            upperBandMicros: instruments.map(\.upperBandMicros).max() ?? 0, maxOrderQuantity: instruments.map(\.maxOrderQuantity).max() ?? 0)
        return .object([
            ("type", .string("object")), ("additionalProperties", .bool(false)), ("minProperties", .int(1)),
            ("description", .string("a new price and/or total quantity; the order's instrument's tick size, price band, lot size and maximum apply")),
            ("properties", .object([("price", priceSchema(union)), ("quantity", quantitySchema(union))])),
        ])
    }

    static func priceSchema(_ instrument: InstrumentRules) -> JSONValue {
        .object([
            ("type", .string("number")), ("multipleOf", .micros(instrument.tickSizeMicros)),
            ("minimum", .micros(instrument.lowerBandMicros)), ("maximum", .micros(instrument.upperBandMicros)),
        ])
    }

    static func quantitySchema(_ instrument: InstrumentRules) -> JSONValue {
        .object([
            ("type", .string("integer")), ("multipleOf", .int(instrument.lotSize)),
            ("minimum", .int(instrument.lotSize)), ("maximum", .int(instrument.maxOrderQuantity)),
        ])
    }

    static func ref(_ schema: String) -> JSONValue { .object([("$ref", .string("#/components/schemas/\(schema)"))]) }

    static let template = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "kafka-exchange gateway",
        "version": "1",
        "description": "Trader API of the exchange, after Kite Connect v3. Success: {\"status\":\"success\",\"data\":...}. Error: {\"status\":\"error\",\"error_type\":...,\"message\":...,\"field\":...,\"reason\":...}. Prices are decimals parsed exactly; quantities are integers; timestamps are epoch milliseconds. A method a path does not serve gets 405 with Allow; an unknown path 404. A request that is not valid HTTP gets 400 with field \"request\" on any path."
      },
      "servers": [{"url": "http://127.0.0.1:8080"}],
      "security": [{"bearer": []}],
      "paths": {
        "{{P}}/health": {"get": {"summary": "Liveness and read-model progress", "security": [], "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "{{P}}/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4)", "security": [], "responses": {"200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "{{P}}/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "{{P}}/instruments": {"get": {"summary": "Every listed instrument with tick size, lot size, last price, price band and trading status (live from the instruments topic)", "responses": {"200": {"description": "instruments", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InstrumentList"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}},
        "{{P}}/orders": {
          "post": {
            "summary": "Place an order. 202 means validated and handed to the idempotent acks=all producer of incoming_orders; the engine's verdict arrives as execution reports (GET /orders/{id}, WebSocket).",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"$ref": "#/components/schemas/IdempotencyKey"}, "description": "A retry with the same key returns the first answer instead of placing a second order (client_order_id does the same); the order_id is derived from the trader and the key, so it survives gateway restarts. 422 when the key was used for a different order."}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderRequest"}}}},
            "responses": {
              "202": {"description": "accepted (Idempotent-Replayed: true on a retry's replayed answer)", "headers": {"Idempotent-Replayed": {"schema": {"const": "true"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderAccepted"}}},
                "links": {
                  "GetOrder": {"operationId": "getOrder", "parameters": {"id": "$response.body#/data/order_id"}},
                  "ModifyOrder": {"operationId": "modifyOrder", "parameters": {"id": "$response.body#/data/order_id"}, "requestBody": {"quantity": "$request.body#/quantity"}},
                  "CancelOrder": {"operationId": "cancelOrder", "parameters": {"id": "$response.body#/data/order_id"}}
                }},
              "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
              "409": {"description": "the idempotency key's first request is still in flight", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
              "422": {"description": "the idempotency key (or client_order_id) was used for a different order, or a pre-trade limit refused the order (MAX_OPEN_ORDERS, MAX_ORDER_NOTIONAL, MAX_OPEN_NOTIONAL)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "429": {"$ref": "#/components/responses/RateLimited"}, "503": {"$ref": "#/components/responses/Unavailable"}
            }
          },
          "get": {"summary": "The caller's orders (placement order)", "responses": {"200": {"description": "orders", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderList"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
        },
        "{{P}}/orders/{id}": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
          "get": {"operationId": "getOrder", "summary": "One of the caller's orders with fills and status history; an unknown order and another trader's order are 404", "responses": {"200": {"description": "order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}}},
          "put": {"operationId": "modifyOrder", "summary": "Modify price and/or quantity of an open order (owner only). The price must be on the order's instrument's tick grid and inside its band, the quantity a multiple of its lot size up to its maximum (GET /instruments); otherwise 400 naming the field.", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModifyRequest"}}}}, "responses": {"202": {"description": "MODIFY_PENDING", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderPending"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}, "503": {"$ref": "#/components/responses/Unavailable"}}},
          "delete": {"operationId": "cancelOrder", "summary": "Cancel an open order (owner only)", "responses": {"202": {"description": "CANCEL_PENDING", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderPending"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}, "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "{{P}}/trades": {"get": {"summary": "The caller's fills (tradebook)", "responses": {"200": {"description": "trades", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradeList"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}},
        "{{P}}/quote/{symbol}": {"get": {"summary": "Last price, session OHLC, volume, VWAP, best bid/offer and 5-level depth", "parameters": [{"$ref": "#/components/parameters/Symbol"}], "responses": {"200": {"description": "quote", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QuoteEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}}}},
        "{{P}}/sma/{symbol}": {"get": {"summary": "Simple moving average windows of a symbol (SMA_HOPPING_TABLE records, newest first)", "parameters": [{"$ref": "#/components/parameters/Symbol"}], "responses": {"200": {"description": "sma", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SMAEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}}}},
        "{{P}}/profit": {"get": {"summary": "Latest stock_profit window per symbol", "responses": {"200": {"description": "profit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecordList"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}},
        "{{P}}/top-profit": {"get": {"summary": "Latest top_profit rankings, newest window first", "responses": {"200": {"description": "top profit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WindowsEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}},
        "{{P}}/history/{symbol}": {"get": {"summary": "Historical candles (Kite-style [timestamp, open, high, low, close, volume]; timestamp: the interval's start, epoch ms; days are UTC days) starting in [from, to), from the history database. The range to - from may be at most 7 days for minute, 30 for 5minute, 90 for 15minute, 180 for 60minute and 366 for day; a longer one, or to not after from, is 400 naming to.", "parameters": [{"$ref": "#/components/parameters/Symbol"},
          {"name": "interval", "in": "query", "required": true, "schema": {"enum": ["minute", "5minute", "15minute", "60minute", "day"]}},
          {"name": "from", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/HistoryTime"}},
          {"name": "to", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/HistoryTime"}}],
          "responses": {"200": {"description": "candles", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CandlesEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}, "503": {"$ref": "#/components/responses/HistoryUnavailable"}}}},
        "{{P}}/history/{symbol}/trades": {"get": {"summary": "The symbol's trades with a time in [from, to), oldest first, a page at a time: pass next_cursor as cursor for the next page (null: no more). to not after from is 400 naming to.", "parameters": [{"$ref": "#/components/parameters/Symbol"},
          {"name": "from", "in": "query", "required": false, "schema": {"$ref": "#/components/schemas/HistoryTime"}, "description": "default 0"},
          {"name": "to", "in": "query", "required": false, "schema": {"$ref": "#/components/schemas/HistoryTime"}, "description": "default the latest"},
          {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 1000}, "description": "default 100"},
          {"name": "cursor", "in": "query", "required": false, "schema": {"type": "string", "pattern": "^[0-9]{1,15}_[0-9]{1,15}$"}, "description": "the next_cursor of the previous page"}],
          "responses": {"200": {"description": "trades", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HistoricalTradesEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}, "503": {"$ref": "#/components/responses/HistoryUnavailable"}}}},
        "{{P}}/history/{symbol}/sma": {"get": {"summary": "The stored SMA_HOPPING_TABLE windows of the symbol starting in [from, to), oldest first, each the window's last record. The range may be at most 7 days; a longer one, or to not after from, is 400 naming to.", "parameters": [{"$ref": "#/components/parameters/Symbol"},
          {"name": "from", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/HistoryTime"}},
          {"name": "to", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/HistoryTime"}}],
          "responses": {"200": {"description": "windows", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HistoricalWindowsEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}, "503": {"$ref": "#/components/responses/HistoryUnavailable"}}}},
        "{{P}}/history/{symbol}/profit": {"get": {"summary": "The stored stock_profit windows of the symbol starting in [from, to), oldest first, each the window's last record. The range may be at most 7 days.", "parameters": [{"$ref": "#/components/parameters/Symbol"},
          {"name": "from", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/HistoryTime"}},
          {"name": "to", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/HistoryTime"}}],
          "responses": {"200": {"description": "windows", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HistoricalWindowsEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}, "503": {"$ref": "#/components/responses/HistoryUnavailable"}}}},
        "{{P}}/top-profit/history": {"get": {"summary": "The stored top_profit rankings of the windows starting in [from, to), oldest first. The range may be at most 7 days.", "parameters": [
          {"name": "from", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/HistoryTime"}},
          {"name": "to", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/HistoryTime"}}],
          "responses": {"200": {"description": "windows", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HistoricalWindowsEnvelope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}, "503": {"$ref": "#/components/responses/HistoryUnavailable"}}}},
        "{{P}}/ws": {"get": {"parameters": [
          {"name": "Upgrade", "in": "header", "required": true, "schema": {"type": "string", "pattern": "[Ww][Ee][Bb][Ss][Oo][Cc][Kk][Ee][Tt]"}, "description": "websocket"},
          {"name": "Connection", "in": "header", "required": true, "schema": {"type": "string", "pattern": "[Uu][Pp][Gg][Rr][Aa][Dd][Ee]"}, "description": "Upgrade"},
          {"name": "Sec-WebSocket-Version", "in": "header", "required": true, "schema": {"const": "13"}},
          {"name": "Sec-WebSocket-Key", "in": "header", "required": true, "schema": {"type": "string", "pattern": "^[A-Za-z0-9+/]{22}==$"}, "description": "16 random bytes in base64"}],
          "summary": "WebSocket (upgrade). Server frames: {\"type\":\"order\"|\"own_trade\"|\"trade\"|\"quote\"|\"sma\"|\"instrument\"|\"tickers\"|\"book\"|\"tape\"|\"ranking\"|\"candles\"|\"connected\"|\"subscribed\"|\"unsubscribed\"|\"watching\"|\"error\",\"data\":...}. Client frames: {\"a\":\"subscribe\"|\"unsubscribe\",\"v\":[\"AAPL\"]} and {\"a\":\"watch\",\"v\":\"AAPL\"|null} (the trading screen's coalesced panels). Browsers may pass the token as the subprotocols exchange and bearer.<base64url token>, or ?access_token=, instead of the Authorization header; where market data is public (--market-data open) a handshake without credentials is an anonymous, market-data-only connection. A request that is not a WebSocket handshake gets 426.", "responses": {
          "101": {"description": "switching protocols"},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "426": {"description": "not a WebSocket handshake (Upgrade: websocket, Connection: Upgrade), or a version other than 13", "headers": {"Upgrade": {"schema": {"const": "websocket"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "429": {"$ref": "#/components/responses/RateLimited"}}}}
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API key, or a JWT (HS256/RS256) from the configured identity provider"}},
        "parameters": {"Symbol": {"name": "symbol", "in": "path", "required": true, "schema": {"enum": {{SYMBOLS}}}, "description": "an instrument of GET /instruments; another symbol is 404"}},
        "responses": {
          "Error": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "BadRequest": {"description": "a bad field (named in field), or a request that is not valid HTTP (field \"request\")", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unauthorized": {"description": "missing, unknown or expired credentials", "headers": {"WWW-Authenticate": {"required": true, "schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "RateLimited": {"description": "the trader's rate limit is used up", "headers": {"Retry-After": {"required": true, "schema": {"type": "integer", "minimum": 1}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unavailable": {"description": "the order log is unavailable; nothing was placed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "HistoryUnavailable": {"description": "the gateway has no history database (--history-db)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["status", "error_type", "message"], "additionalProperties": false, "properties": {"status": {"const": "error"}, "error_type": {"enum": ["InputException", "TokenException", "PermissionException", "OrderException", "NetworkException", "GeneralException", "DataException"]}, "message": {"type": "string"}, "field": {"type": "string"}, "reason": {"type": "string"}}},
          "Side": {"enum": ["BUY", "SELL"], "description": "Kite: transaction_type"},
          "ValidityTTL": {"type": "integer", "minimum": 1, "maximum": {{MAX_TTL}}, "description": "minutes"},
          "ClientOrderId": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9_.:-]+$", "description": "Kite: tag. Names one order forever (an idempotency key when there is no Idempotency-Key header)"},
          "IdempotencyKey": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-~]+$", "description": "1 to 128 visible ASCII characters"},
          "OrderRequest": {
            "description": "symbol (Kite: tradingsymbol), side, order_type, price (LIMIT only: a multiple of the instrument's tick size inside its price band; absent or null for MARKET), quantity (a multiple of the lot size, at most max_order_quantity), validity (DAY default, GTC, IOC, FOK, TTL, GTD), validity_ttl (minutes, required for TTL and refused otherwise), expire_at (epoch ms, required for GTD and refused otherwise; an instant already past makes a REJECTED order, EXPIRE_AT_PASSED), client_order_id. One variant per instrument, order type and validity kind.",
            "anyOf": {{ORDER_VARIANTS}}
          },
          "ModifyRequest": {{MODIFY_REQUEST}},
          "OrderAccepted": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "object", "required": ["order_id", "status"], "properties": {"order_id": {"type": "string", "format": "uuid"}, "status": {"const": "ACCEPTED"}, "client_order_id": {"type": "string"}}}}},
          "OrderPending": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "object", "required": ["order_id", "status"], "properties": {"order_id": {"type": "string"}, "status": {"enum": ["MODIFY_PENDING", "CANCEL_PENDING"]}}}}},
          "Health": {"type": "object", "required": ["status", "orders_known", "reports_applied", "trades_applied"], "properties": {"status": {"const": "ok"}, "orders_known": {"type": "integer"}, "reports_applied": {"type": "integer"}, "trades_applied": {"type": "integer"}}, "additionalProperties": {"type": "integer"}},
          "Instrument": {"type": "object", "required": ["symbol", "name", "exchange", "tick_size", "lot_size", "last_price", "reference_price", "lower_circuit_limit", "upper_circuit_limit", "max_order_quantity", "status"], "properties": {"symbol": {"type": "string"}, "name": {"type": "string"}, "exchange": {"type": "string"}, "tick_size": {"type": "number"}, "lot_size": {"type": "integer"}, "last_price": {"type": "number"}, "reference_price": {"type": "number"}, "lower_circuit_limit": {"type": "number"}, "upper_circuit_limit": {"type": "number"}, "max_order_quantity": {"type": "integer"}, "status": {"enum": ["TRADING", "HALTED"], "description": "HALTED: new orders and modifies are refused (400 naming symbol, 409), cancels work"}, "halt_reason": {"type": "string"}}},
          "InstrumentList": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "array", "items": {"$ref": "#/components/schemas/Instrument"}}}},
          "Order": {"type": "object", "required": ["order_id", "trader_id", "symbol", "side", "order_type", "validity", "validity_ttl", "price", "quantity", "filled_quantity", "pending_quantity", "average_price", "status", "status_message", "client_order_id", "order_timestamp", "update_timestamp"], "properties": {"order_id": {"type": "string"}, "trader_id": {"type": "string"}, "symbol": {"type": "string"}, "side": {"type": "string"}, "order_type": {"type": ["string", "null"]}, "validity": {"type": ["string", "null"]}, "validity_ttl": {"type": ["integer", "null"]}, "expire_at": {"type": ["integer", "null"]}, "price": {"type": ["number", "null"]}, "quantity": {"type": "integer"}, "filled_quantity": {"type": "integer"}, "pending_quantity": {"type": "integer"}, "average_price": {"type": ["number", "null"]}, "status": {"enum": ["PENDING", "NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED", "REJECTED", "REPLACED"]}, "status_message": {"type": ["string", "null"]}, "client_order_id": {"type": ["string", "null"]}, "order_timestamp": {"type": "integer"}, "update_timestamp": {"type": "integer"}, "fills": {"type": "array", "items": {"type": "object", "required": ["trade_id", "price", "quantity", "timestamp"], "properties": {"trade_id": {"type": "string"}, "price": {"type": "number"}, "quantity": {"type": "integer"}, "timestamp": {"type": "integer"}}}}, "history": {"type": "array", "items": {"type": "object", "required": ["status", "status_message", "price", "quantity", "filled_quantity", "pending_quantity", "timestamp"], "properties": {"status": {"type": "string"}, "status_message": {"type": ["string", "null"]}, "price": {"type": ["number", "null"]}, "quantity": {"type": "integer"}, "filled_quantity": {"type": "integer"}, "pending_quantity": {"type": "integer"}, "timestamp": {"type": "integer"}}}}}},
          "OrderEnvelope": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"allOf": [{"$ref": "#/components/schemas/Order"}, {"required": ["fills", "history"]}]}}},
          "OrderList": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}}}},
          "Trade": {"type": "object", "required": ["trade_id", "order_id", "symbol", "side", "price", "quantity", "aggressor_side", "fill_timestamp"], "properties": {"trade_id": {"type": "string"}, "order_id": {"type": "string"}, "symbol": {"type": "string"}, "side": {"type": "string"}, "price": {"type": "number"}, "quantity": {"type": "integer"}, "aggressor_side": {"type": "string"}, "fill_timestamp": {"type": "integer"}}},
          "TradeList": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "array", "items": {"$ref": "#/components/schemas/Trade"}}}},
          "PriceQuantity": {"type": "object", "required": ["price", "quantity"], "properties": {"price": {"type": "number"}, "quantity": {"type": "integer"}, "orders": {"type": "integer"}}},
          "Quote": {"type": "object", "required": ["symbol", "last_price", "last_quantity", "last_trade_time", "volume", "trades", "average_price", "ohlc", "buy_quantity", "sell_quantity", "best_bid", "best_ask", "depth"], "properties": {"symbol": {"type": "string"}, "last_price": {"type": ["number", "null"]}, "last_quantity": {"type": ["integer", "null"]}, "last_trade_time": {"type": ["integer", "null"]}, "volume": {"type": "integer"}, "trades": {"type": "integer"}, "average_price": {"type": ["number", "null"]}, "ohlc": {"type": "object", "required": ["open", "high", "low", "close"], "properties": {"open": {"type": ["number", "null"]}, "high": {"type": ["number", "null"]}, "low": {"type": ["number", "null"]}, "close": {"type": ["number", "null"]}}}, "buy_quantity": {"type": "integer"}, "sell_quantity": {"type": "integer"}, "best_bid": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/PriceQuantity"}]}, "best_ask": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/PriceQuantity"}]}, "depth": {"type": "object", "required": ["buy", "sell"], "properties": {"buy": {"type": "array", "maxItems": 5, "items": {"$ref": "#/components/schemas/PriceQuantity"}}, "sell": {"type": "array", "maxItems": 5, "items": {"$ref": "#/components/schemas/PriceQuantity"}}}}}},
          "QuoteEnvelope": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"$ref": "#/components/schemas/Quote"}}},
          "SMAEnvelope": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "object", "required": ["symbol", "latest", "windows"], "properties": {"symbol": {"type": "string"}, "latest": {"type": ["object", "null"]}, "windows": {"type": "array", "items": {"type": "object"}}}}}},
          "RecordList": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "array", "items": {"type": "object"}}}},
          "HistoryTime": {"type": "integer", "minimum": 0, "maximum": 4102444800000, "description": "epoch milliseconds"},
          "CandlesEnvelope": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "object", "required": ["symbol", "interval", "candles"], "properties": {"symbol": {"type": "string"}, "interval": {"type": "string"}, "candles": {"type": "array", "items": {"type": "array", "minItems": 6, "maxItems": 6, "items": {"type": "number"}, "description": "[timestamp (epoch ms), open, high, low, close, volume]"}}}}}},
          "HistoricalTradesEnvelope": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "object", "required": ["symbol", "trades", "next_cursor"], "properties": {"symbol": {"type": "string"}, "trades": {"type": "array", "items": {"type": "object", "required": ["trade_id", "price", "quantity", "buy_order_id", "sell_order_id", "aggressor_side", "trade_time"], "properties": {"trade_id": {"type": "string"}, "price": {"type": "number"}, "quantity": {"type": "integer"}, "buy_order_id": {"type": "string"}, "sell_order_id": {"type": "string"}, "aggressor_side": {"enum": ["BUY", "SELL"]}, "trade_time": {"type": "integer"}}}}, "next_cursor": {"type": ["string", "null"]}}}}},
          "HistoricalWindowsEnvelope": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "object", "required": ["windows"], "properties": {"symbol": {"type": "string"}, "windows": {"type": "array", "items": {"type": "object", "required": ["WINDOW_START", "WINDOW_END"], "properties": {"WINDOW_START": {"type": "integer"}, "WINDOW_END": {"type": "integer"}}}}}}}},
          "WindowsEnvelope": {"type": "object", "required": ["status", "data"], "properties": {"status": {"const": "success"}, "data": {"type": "object", "required": ["latest", "windows"], "properties": {"latest": {"type": ["object", "null"]}, "windows": {"type": "array", "items": {"type": "object"}}}}}}
        }
      }
    }
    """#
}
