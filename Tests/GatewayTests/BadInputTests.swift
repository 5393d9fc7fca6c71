import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Every bad order gets a specific 4xx naming the field, and nothing reaches the order log.
@Suite(.timeLimit(.minutes(3))) struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var status: HTTPResponse.Status
        var field: String
        var contentType: String = "application/json"
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: #"{"symbol":"AAPL","#, status: .badRequest, field: "body"),
        Case(name: "not an object", body: #"[1,2]"#, status: .badRequest, field: "body"),
        Case(name: "empty body", body: "", status: .badRequest, field: "body"),
        Case(name: "duplicate key", body: #"{"symbol":"AAPL","symbol":"GOOG","side":"BUY","order_type":"MARKET","quantity":1}"#, status: .badRequest, field: "body"),
        Case(name: "symbol wrong type", body: #"{"symbol":7,"side":"BUY","order_type":"LIMIT","price":160,"quantity":1}"#, status: .badRequest, field: "symbol"),
        Case(name: "quantity as string", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":"10"}"#, status: .badRequest, field: "quantity"),
        Case(name: "price as string", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":"160","quantity":10}"#, status: .badRequest, field: "price"),
        Case(name: "unknown symbol", body: #"{"symbol":"ZZZZ","side":"BUY","order_type":"LIMIT","price":160,"quantity":1}"#, status: .badRequest, field: "symbol"),
        Case(name: "missing symbol", body: #"{"side":"BUY","order_type":"LIMIT","price":160,"quantity":1}"#, status: .badRequest, field: "symbol"),
        Case(name: "unknown side", body: #"{"symbol":"AAPL","side":"HOLD","order_type":"LIMIT","price":160,"quantity":1}"#, status: .badRequest, field: "side"),
        Case(name: "unknown order type", body: #"{"symbol":"AAPL","side":"BUY","order_type":"STOP","price":160,"quantity":1}"#, status: .badRequest, field: "order_type"),
        Case(name: "off-tick price", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.005,"quantity":1}"#, status: .badRequest, field: "price"),
        Case(name: "seven decimals", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.0000001,"quantity":1}"#, status: .badRequest, field: "price"),
        Case(name: "price outside band", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":400,"quantity":1}"#, status: .badRequest, field: "price"),
        Case(name: "negative price", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":-160,"quantity":1}"#, status: .badRequest, field: "price"),
        Case(name: "limit without price", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","quantity":1}"#, status: .badRequest, field: "price"),
        Case(name: "market with price", body: #"{"symbol":"AAPL","side":"BUY","order_type":"MARKET","price":160,"quantity":1}"#, status: .badRequest, field: "price"),
        Case(name: "zero quantity", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":0}"#, status: .badRequest, field: "quantity"),
        Case(name: "negative quantity", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":-5}"#, status: .badRequest, field: "quantity"),
        Case(name: "huge quantity", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1000000000000}"#, status: .badRequest, field: "quantity"),
        Case(name: "overflowing quantity", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":99999999999999999999999}"#, status: .badRequest, field: "quantity"),
        Case(name: "fractional quantity", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1.5}"#, status: .badRequest, field: "quantity"),
        Case(name: "off-lot quantity", body: #"{"symbol":"LOTX","side":"BUY","order_type":"LIMIT","price":100,"quantity":15}"#, status: .badRequest, field: "quantity"),
        Case(name: "unknown time in force", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"GTX"}"#, status: .badRequest, field: "validity"),
        Case(name: "GTD without an instant", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"GTD"}"#, status: .badRequest, field: "expire_at"),
        Case(name: "GTD after 2199", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"GTD","expire_at":7258118400000}"#, status: .badRequest, field: "expire_at"),
        Case(name: "an instant without GTD", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"DAY","expire_at":4102444800000}"#, status: .badRequest, field: "expire_at"),
        Case(name: "TTL without minutes", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"TTL"}"#, status: .badRequest, field: "validity_ttl"),
        Case(name: "TTL of zero minutes", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"TTL","validity_ttl":0}"#, status: .badRequest, field: "validity_ttl"),
        Case(name: "minutes without TTL", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"validity":"DAY","validity_ttl":5}"#, status: .badRequest, field: "validity_ttl"),
        Case(name: "unknown field", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"stop_price":150}"#, status: .badRequest, field: "stop_price"),
        Case(name: "bad client order id", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"client_order_id":"has space"}"#, status: .badRequest, field: "client_order_id"),
        Case(name: "oversized body", body: #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160,"quantity":1,"client_order_id":""# + String(repeating: "x", count: 20_000) + #""}"#, status: .contentTooLarge, field: "body"),
        Case(name: "not JSON content type", body: "symbol=AAPL", status: .unsupportedMediaType, field: "Content-Type", contentType: "application/x-www-form-urlencoded"),
    ]

    @Test(arguments: cases)
    func badOrderIsRejectedAndNothingIsProduced(_ c: Case) async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/orders", method: .post,
                headers: [.authorization: "Bearer \(Keys.alice)", .contentType: c.contentType],
                body: ByteBuffer(string: c.body))
            #expect(response.status == c.status, "\(String(buffer: response.body))")
            #expect(response.json["status"] == .string("error"))
            #expect(response.json["field"] == .string(c.field), "\(String(buffer: response.body))")
            #expect(sink.count == 0)
        }
    }

    /// A body the JSON reader refuses is a 400 on `body` saying where and why; the reader is the records' own, so
    /// invalid UTF-8 and lone surrogates are refused here as in every record (not decoded with replacements).
    @Test func malformedBodiesNameTheByteAndTheReason() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        let cases: [([UInt8], String)] = [
            (Array(#"{"symbol":"A"#.utf8) + [0xFF] + Array(#"PL","side":"BUY","order_type":"MARKET","quantity":1}"#.utf8),
             "malformed JSON at byte 10: string is not valid UTF-8"),
            (Array(#"{"symbol":"\ud83d","side":"BUY","order_type":"MARKET","quantity":1}"#.utf8),
             #"malformed JSON at byte 17: unpaired UTF-16 surrogate in a \u escape"#),
            (Array(#"{"symbol":"AAPL","side":"BUY","order_type":"MARKET","quantity":1} {}"#.utf8),
             "malformed JSON at byte 66: unexpected data after the value at byte 66"),
            (Array(#"{"symbol":"AAPL","symbol":"AAPL","side":"BUY","order_type":"MARKET","quantity":1}"#.utf8),
             "malformed JSON at byte 17: duplicate key 'symbol'"),
        ]
        try await gateway.application().test(.router) { client in
            for (body, reason) in cases {
                let response = try await client.execute(
                    uri: "/v1/orders", method: .post,
                    headers: [.authorization: "Bearer \(Keys.alice)", .contentType: "application/json"],
                    body: ByteBuffer(bytes: body))
                #expect(response.status == .badRequest)
                #expect(response.json["field"] == .string("body"))
                #expect(response.json["reason"] == .string(reason), "\(String(buffer: response.body))")
            }
        }
        #expect(sink.count == 0)
    }

    @Test func badModifyBodies() async throws {
        let sink = RecordingSink()
        let gateway = makeGateway(sink: sink)
        try await gateway.application().test(.router) { client in
            let id = try await client.place(aliceBuy)
            for (body, field) in [("{}", "body"), (#"{"quantity":0}"#, "quantity"), (#"{"price":"1"}"#, "price"), (#"{"side":"SELL"}"#, "side")] {
                let response = try await client.send(.put, "/v1/orders/\(id)", body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.json["field"] == .string(field), "\(body)")
            }
            #expect(sink.count == 1)
        }
    }
}
