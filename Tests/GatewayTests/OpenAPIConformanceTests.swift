import ExchangeRecords
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The OpenAPI document says what the gateway really answers: every status a route gives is documented with the
/// error schema, success answers are the envelope the document declares, and the request schemas state the rules
/// validation applies. (`SchemathesisContractTests` checks the same against a live gateway with generated requests.)
@Suite(.timeLimit(.minutes(3))) struct OpenAPIConformanceTests {
    /// The seed instruments' document (a gateway serves the one of its own instruments).
    static let document = OpenAPIDocument.document(prefix: "/v1")

    /// Follows `$ref`s within the document.
    static func resolved(_ value: JSONValue?) -> JSONValue? {
        guard case .string(let ref)? = value?["$ref"] else { return value }
        var node: JSONValue? = document
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return resolved(node)
    }

    static func operation(_ method: String, _ path: String) -> JSONValue? {
        document["paths"]?[path]?[method.lowercased()]
    }

    static func response(_ method: String, _ path: String, _ status: Int) -> JSONValue? {
        resolved(operation(method, path)?["responses"]?[String(status)])
    }

    static func schema(_ method: String, _ path: String, _ status: Int) -> JSONValue? {
        resolved(response(method, path, status)?["content"]?["application/json"]?["schema"])
    }

    /// Every operation behind authentication, with a URL that reaches it.
    static let authenticated: [(method: HTTPRequest.Method, path: String, url: String)] = [
        (.get, "/v1/instruments", "/v1/instruments"), (.post, "/v1/orders", "/v1/orders"), (.get, "/v1/orders", "/v1/orders"),
        (.get, "/v1/orders/{id}", "/v1/orders/x"), (.put, "/v1/orders/{id}", "/v1/orders/x"),
        (.delete, "/v1/orders/{id}", "/v1/orders/x"), (.get, "/v1/trades", "/v1/trades"),
        (.get, "/v1/quote/{symbol}", "/v1/quote/AAPL"), (.get, "/v1/sma/{symbol}", "/v1/sma/AAPL"),
        (.get, "/v1/profit", "/v1/profit"), (.get, "/v1/top-profit", "/v1/top-profit"), (.get, "/v1/ws", "/v1/ws"),
        (.get, "/v1/history/{symbol}", "/v1/history/AAPL"), (.get, "/v1/history/{symbol}/trades", "/v1/history/AAPL/trades"),
        (.get, "/v1/history/{symbol}/sma", "/v1/history/AAPL/sma"), (.get, "/v1/history/{symbol}/profit", "/v1/history/AAPL/profit"),
        (.get, "/v1/top-profit/history", "/v1/top-profit/history"),
    ]

    @Test func everyAuthenticatedRouteAnswersAndDocuments401And429() async throws {
        let documented = Set(Self.authenticated.map { "\($0.method.rawValue) \($0.path)" })
        let open = ["GET /v1/health", "GET /v1/metrics", "GET /v1/openapi.json"]
        #expect(OpenAPIDocument.operations(prefix: "/v1") == documented.union(open))
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            for route in Self.authenticated {
                let answer = try await client.send(route.method, route.url, key: nil, body: route.method == .get ? nil : "{}")
                #expect(answer.status == .unauthorized, "\(route.method) \(route.url)")
                #expect(answer.headers[.wwwAuthenticate] != nil)
                #expect(answer.json["status"] == .string("error"))
                for status in [401, 429] {
                    let response = Self.response(route.method.rawValue, route.path, status)
                    #expect(Self.schema(route.method.rawValue, route.path, status)?["required"] != nil,
                            "\(route.method) \(route.path) does not document \(status) with the error schema")
                    let header = status == 401 ? "WWW-Authenticate" : "Retry-After"
                    #expect(response?["headers"]?[header] != nil, "\(route.method) \(route.path): \(status) without \(header)")
                }
            }
        }
    }

    @Test func successAnswersAreTheEnvelopeTheDocumentDeclares() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            let id = try await client.place(aliceBuy)
            let routes: [(method: HTTPRequest.Method, path: String, url: String, status: HTTPResponse.Status, body: String?)] = [
                (.get, "/v1/instruments", "/v1/instruments", .ok, nil), (.get, "/v1/orders", "/v1/orders", .ok, nil),
                (.get, "/v1/orders/{id}", "/v1/orders/\(id)", .ok, nil), (.get, "/v1/trades", "/v1/trades", .ok, nil),
                (.get, "/v1/quote/{symbol}", "/v1/quote/AAPL", .ok, nil), (.get, "/v1/sma/{symbol}", "/v1/sma/AAPL", .ok, nil),
                (.get, "/v1/profit", "/v1/profit", .ok, nil), (.get, "/v1/top-profit", "/v1/top-profit", .ok, nil),
                (.put, "/v1/orders/{id}", "/v1/orders/\(id)", .accepted, #"{"quantity":5}"#),
                (.delete, "/v1/orders/{id}", "/v1/orders/\(id)", .accepted, nil),
            ]
            for route in routes {
                let answer = try await client.send(route.method, route.url, body: route.body)
                #expect(answer.status == route.status, "\(route.method) \(route.url): \(String(buffer: answer.body))")
                #expect(answer.json["status"] == .string("success"))
                #expect(answer.json["data"] != nil && answer.json["data"] != .null)
                let schema = Self.schema(route.method.rawValue, route.path, route.status.code)
                #expect(schema?["required"] == .array([.string("status"), .string("data")]), "\(route.method) \(route.path)")
                #expect(schema?["properties"]?["status"]?["const"] == .string("success"), "\(route.method) \(route.path)")
            }
            // The order's own fields are in data, not beside it.
            let order = Self.resolved(Self.schema("GET", "/v1/orders/{id}", 200)?["properties"]?["data"]?["allOf"].flatMap {
                guard case .array(let parts) = $0 else { return nil }
                return parts.first
            })
            #expect(order?["properties"]?["order_id"] != nil)
        }
    }

    @Test func webSocketPathWithoutHandshakeIs426() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            let answer = try await client.send(.get, "/v1/ws")
            #expect(answer.status == .upgradeRequired)
            #expect(answer.headers[.upgrade] == "websocket")
            #expect(answer.json["status"] == .string("error"))
            #expect(answer.json["field"] == .string("Upgrade"))
            // Not a handshake without Connection: Upgrade either; and a handshake that reaches the route (a later
            // request on a kept-alive connection, which NIO does not upgrade) is checked there too.
            let noConnection = try await client.send(.get, "/v1/ws", headers: [.upgrade: "websocket"])
            #expect(noConnection.status == .upgradeRequired)
            let badKey = try await client.send(.get, "/v1/ws", headers: [
                .upgrade: "websocket", .connection: "Upgrade", HTTPField.Name("Sec-WebSocket-Version")!: "13",
                HTTPField.Name("Sec-WebSocket-Key")!: "c2hvcnQ=",
            ])
            #expect(badKey.status == .badRequest)
            #expect(badKey.json["field"] == .string("Sec-WebSocket-Key"))
        }
        #expect(Self.response("GET", "/v1/ws", 426)?["headers"]?["Upgrade"] != nil)
        #expect(Self.schema("GET", "/v1/ws", 426)?["properties"]?["error_type"] != nil)
    }

    /// NIO upgrades only a connection's first request, and its decoder reads nothing after a request that asks for an
    /// upgrade: a later one (any path) got no answer at all, and the connection hung. (Schemathesis found it, reusing
    /// connections for `GET /ws` handshakes.)
    @Test(arguments: [true, false])
    func aLaterRequestAskingForAnUpgradeIsAnsweredAndTheConnectionCloses(fastOrderPath: Bool) async throws {
        let gateway = makeGateway(fastOrderPath: fastOrderPath)
        let auth = "Authorization: Bearer \(Keys.alice)\r\n"
        let requests = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\(auth)\r\n"
            + "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
        try await gateway.application().test(.live) { client in
            let port = try #require(client.port)
            let text = try #require(try await MalformedHTTPTests.exchange(port: port, Array(requests.utf8)), "the connection stayed open")
            let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
            // The second is not upgraded, so it is not a handshake; the third is never read.
            #expect(answers.map { String($0.prefix(3)) } == ["200", "426"], "\(text)")
        }
    }

    @Test(arguments: [
        ("TRACE", "/v1/orders", "GET, POST"), ("PATCH", "/v1/orders/abc", "DELETE, GET, PUT"), ("POST", "/v1/health", "GET"),
        ("DELETE", "/v1/quote/AAPL", "GET"), ("PUT", "/v1/ws", "GET"),
    ])
    func methodAKnownPathDoesNotServeIs405WithAllow(method: String, url: String, allow: String) async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            let answer = try await client.send(HTTPRequest.Method(method) ?? .get, url)
            #expect(answer.status == .methodNotAllowed)
            #expect(answer.headers[.allow] == allow)
            #expect(answer.json["status"] == .string("error"))
        }
    }

    @Test func unknownPathIs404WhateverTheMethod() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            for method in [HTTPRequest.Method.trace, .get, .post] {
                let answer = try await client.send(method, "/v1/orders/abc/fills")
                #expect(answer.status == .notFound)
                #expect(answer.headers[.allow] == nil)
                #expect(answer.json["status"] == .string("error"))
            }
        }
    }

    @Test func orderSchemaStatesTheRulesValidationApplies() throws {
        guard case .array(let variants)? = Self.resolved(Self.document["components"]?["schemas"]?["OrderRequest"])?["anyOf"] else {
            Issue.record("OrderRequest has no variants")
            return
        }
        #expect(variants.count == InstrumentRules.seed.count * 6)  // LIMIT or MARKET × plain, TTL or GTD validity
        for variant in variants {
            #expect(variant["additionalProperties"] == .bool(false))
            let properties = variant["properties"]
            guard case .string(let symbol)? = properties?["symbol"]?["const"], let instrument = InstrumentRules.seed.first(where: { $0.symbol == symbol })
            else {
                Issue.record("a variant without a known symbol: \(variant.serialized())")
                continue
            }
            #expect(properties?["quantity"]?["minimum"] == .int(instrument.lotSize))
            #expect(properties?["quantity"]?["multipleOf"] == .int(instrument.lotSize))
            #expect(properties?["quantity"]?["maximum"] == .int(instrument.maxOrderQuantity))
            if properties?["order_type"]?["const"] == .string("LIMIT") {
                #expect(properties?["price"]?["multipleOf"] == .micros(instrument.tickSizeMicros))
                #expect(properties?["price"]?["minimum"] == .micros(instrument.lowerBandMicros))
                #expect(properties?["price"]?["maximum"] == .micros(instrument.upperBandMicros))
            }
        }
    }

    /// JSON has one number type: a whole number written 10.0 is the integer the schema allows, as JSON Schema says.
    @Test func wholeNumbersWrittenWithAFractionAreIntegers() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            _ = try await client.place(#"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":10.0,"validity":"TTL","validity_ttl":5.0}"#)
            guard case .new(let order)? = sink.last else { Issue.record("nothing produced"); return }
            #expect(order.quantity == 10)
            #expect(order.validityTTL == 5)
            let fractional = try await client.send(.post, "/v1/orders", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1e-1}"#)
            #expect(fractional.status == .badRequest)
            #expect(fractional.json["field"] == .string("quantity"))
        }
    }

    @Test(arguments: ["two words", "caf\u{e9}", String(repeating: "k", count: 129)])
    func idempotencyKeyOutsideTheDocumentedAlphabetIs400(key: String) async throws {
        for fastOrderPath in [true, false] {
            let sink = RecordingSink()
            let gateway = makeGateway(sink: sink, fastOrderPath: fastOrderPath)
            try await gateway.application().test(.live) { client in
                let answer = try await client.send(.post, "/v1/orders", body: aliceBuy, headers: [HTTPField.Name("Idempotency-Key")!: key])
                #expect(answer.status == .badRequest)
                #expect(answer.json["field"] == .string("Idempotency-Key"))
            }
            #expect(sink.count == 0)
        }
    }
}
