/// The OpenAPI 3.1 description of every route (`GET <prefix>/openapi.json`).
///
/// Written by hand next to the routes; `GatewayTests` checks that the router's routes and this
/// document's paths and methods are the same set, so neither can drift.
public enum OpenAPIDocument {
    public static func document(prefix: String) -> JSONValue {
        let text = template.replacingOccurrences(of: "{{P}}", with: prefix)
        do {
            return try JSONParser.parse(Array(text.utf8))
        } catch {
            return .object([("error", .string("openapi template is not JSON at byte \(error.offset): \(error.reason)"))])
        }
    }

    /// `(METHOD, path)` pairs the document describes.
    public static func operations(prefix: String) -> Set<String> {
        guard case .object(let paths)? = document(prefix: prefix)["paths"] else { return [] }
        var result: Set<String> = []
        for (path, item) in paths {
            guard case .object(let methods) = item else { continue }
            for (method, _) in methods where httpMethods.contains(method) { result.insert("\(method.uppercased()) \(path)") }
        }
        return result
    }

    static let httpMethods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static let template = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "kafka-exchange gateway",
        "version": "1",
        "description": "Trader API of the exchange, after Kite Connect v3. Success: {\"status\":\"success\",\"data\":...}. Error: {\"status\":\"error\",\"error_type\":...,\"message\":...,\"field\":...,\"reason\":...}. Prices are decimals parsed exactly; quantities are integers; timestamps are epoch milliseconds."
      },
      "servers": [{"url": "http://127.0.0.1:8080"}],
      "security": [{"bearer": []}],
      "paths": {
        "{{P}}/health": {"get": {"summary": "Liveness and read-model progress", "security": [], "responses": {"200": {"description": "ok"}}}},
        "{{P}}/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4)", "security": [], "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}}}},
        "{{P}}/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI document"}}}},
        "{{P}}/instruments": {"get": {"summary": "Every instrument with tick size, lot size, last price and price band", "responses": {"200": {"description": "instruments"}, "401": {"$ref": "#/components/responses/Error"}}}},
        "{{P}}/orders": {
          "post": {
            "summary": "Place an order. 202 means validated and handed to the idempotent acks=all producer of incoming_orders; the engine's verdict arrives as execution reports (GET /orders/{id}, WebSocket).",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 128}, "description": "A retry with the same key returns the first answer instead of placing a second order (client_order_id does the same); the order_id is derived from the trader and the key, so it survives gateway restarts. 422 when the key was used for a different order."}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderRequest"}}}},
            "responses": {"202": {"description": "accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderAccepted"}}}}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}}
          },
          "get": {"summary": "The caller's orders (placement order)", "responses": {"200": {"description": "orders", "content": {"application/json": {"schema": {"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}}}}}}}, "401": {"$ref": "#/components/responses/Error"}}}
        },
        "{{P}}/orders/{id}": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"summary": "One of the caller's orders with fills and status history; another trader's order is 404", "responses": {"200": {"description": "order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
          "put": {"summary": "Modify price and/or quantity of an open order (owner only)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModifyRequest"}}}}, "responses": {"202": {"description": "MODIFY_PENDING"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Cancel an open order (owner only)", "responses": {"202": {"description": "CANCEL_PENDING"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}}
        },
        "{{P}}/trades": {"get": {"summary": "The caller's fills (tradebook)", "responses": {"200": {"description": "trades"}}}},
        "{{P}}/quote/{symbol}": {"get": {"summary": "Last price, session OHLC, volume, VWAP, best bid/offer and 5-level depth", "parameters": [{"name": "symbol", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "quote"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "{{P}}/sma/{symbol}": {"get": {"summary": "Simple moving average windows of a symbol (SMA_HOPPING_TABLE records, newest first)", "parameters": [{"name": "symbol", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "sma"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "{{P}}/profit": {"get": {"summary": "Latest stock_profit window per symbol", "responses": {"200": {"description": "profit"}}}},
        "{{P}}/top-profit": {"get": {"summary": "Latest top_profit rankings, newest window first", "responses": {"200": {"description": "top profit"}}}},
        "{{P}}/ws": {"get": {"summary": "WebSocket (upgrade). Server frames: {\"type\":\"order\"|\"own_trade\"|\"trade\"|\"quote\"|\"sma\"|\"connected\"|\"subscribed\"|\"unsubscribed\"|\"error\",\"data\":...}. Client frames: {\"a\":\"subscribe\"|\"unsubscribe\",\"v\":[\"AAPL\"]}. Browsers may pass ?access_token= instead of the Authorization header.", "responses": {"101": {"description": "switching protocols"}, "401": {"$ref": "#/components/responses/Error"}}}}
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API key, or a JWT (HS256/RS256) from the configured identity provider"}},
        "responses": {"Error": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        "schemas": {
          "Error": {"type": "object", "required": ["status", "error_type", "message"], "properties": {"status": {"const": "error"}, "error_type": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}, "reason": {"type": "string"}}},
          "OrderRequest": {
            "type": "object", "additionalProperties": false, "required": ["symbol", "side", "order_type", "quantity"],
            "properties": {
              "symbol": {"type": "string", "description": "Kite: tradingsymbol"},
              "side": {"enum": ["BUY", "SELL"], "description": "Kite: transaction_type"},
              "order_type": {"enum": ["LIMIT", "MARKET"]},
              "price": {"type": "number", "description": "LIMIT only; a multiple of the tick size inside the price band"},
              "quantity": {"type": "integer", "minimum": 1, "description": "a multiple of the lot size, at most max_order_quantity"},
              "validity": {"enum": ["DAY", "GTC", "IOC", "FOK", "TTL"], "default": "DAY"},
              "validity_ttl": {"type": "integer", "minimum": 1, "maximum": 10080, "description": "minutes; required for TTL, forbidden otherwise"},
              "client_order_id": {"type": "string", "maxLength": 64, "pattern": "^[A-Za-z0-9_.:-]+$"}
            }
          },
          "ModifyRequest": {"type": "object", "additionalProperties": false, "minProperties": 1, "properties": {"price": {"type": "number"}, "quantity": {"type": "integer", "minimum": 1}}},
          "OrderAccepted": {"type": "object", "properties": {"status": {"const": "success"}, "data": {"type": "object", "properties": {"order_id": {"type": "string", "format": "uuid"}, "status": {"const": "ACCEPTED"}, "client_order_id": {"type": "string"}}}}},
          "Order": {"type": "object", "properties": {"order_id": {"type": "string"}, "trader_id": {"type": "string"}, "symbol": {"type": "string"}, "side": {"type": "string"}, "order_type": {"type": "string"}, "validity": {"type": "string"}, "validity_ttl": {"type": ["integer", "null"]}, "price": {"type": ["number", "null"]}, "quantity": {"type": "integer"}, "filled_quantity": {"type": "integer"}, "pending_quantity": {"type": "integer"}, "average_price": {"type": ["number", "null"]}, "status": {"enum": ["PENDING", "NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED", "REJECTED", "REPLACED"]}, "status_message": {"type": ["string", "null"]}, "fills": {"type": "array"}, "history": {"type": "array"}}}
        }
      }
    }
    """#
}
