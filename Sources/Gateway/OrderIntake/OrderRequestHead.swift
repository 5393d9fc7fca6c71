import HTTPTypes
import NIOHTTP1

/// What the order route reads of a request head, taken in one pass over NIO's header list, so the fast path needs
/// no HTTP-types request for an order (the conversion cost about 1 µs per order).
///
/// A head is one only when the router would read the same values: `POST <prefix>/orders` in origin form, without
/// `Expect` or `Connection: close` (HTTP/1.0 without `keep-alive` has it by now, see `ConnectionPersistence`), with at
/// most one `Host`, with none of these headers twice (HTTP types would join them) and no value that
/// HTTP types would rewrite. Any other request goes to the router as it is.
struct OrderRequestHead {
    /// The request target, query included.
    var target: String
    var authorization: String?
    var idempotencyKey: String?
    var contentType: String?
    var contentLength: String?
    /// The answer confirms `Connection: keep-alive` (see `ConnectionPersistence`).
    var confirmsKeepAlive = false

    init?(_ head: HTTPRequestHead, ordersPath: String) {
        guard head.method == .POST, head.uri.utf8.first == UInt8(ascii: "/"), RequestTarget.route(head.uri) == ordersPath else { return nil }
        target = head.uri
        var hosts = 0
        for (name, value) in head.headers {
            switch name.utf8.count {
            case 4 where ASCII.equals(name, caseInsensitive: "host"):
                hosts += 1
            case 6 where ASCII.equals(name, caseInsensitive: "expect"):
                return nil
            case 10 where ASCII.equals(name, caseInsensitive: "connection"):
                if ASCII.contains(value, caseInsensitive: "close") { return nil }
                if ConnectionPersistence.confirmsKeepAlive(value) { confirmsKeepAlive = true }
            case 12 where ASCII.equals(name, caseInsensitive: "content-type"):
                guard Self.take(value, into: &contentType) else { return nil }
            case 13 where ASCII.equals(name, caseInsensitive: "authorization"):
                guard Self.take(value, into: &authorization) else { return nil }
            case 14 where ASCII.equals(name, caseInsensitive: "content-length"):
                guard Self.take(value, into: &contentLength) else { return nil }
            case 15 where ASCII.equals(name, caseInsensitive: "idempotency-key"):
                guard Self.take(value, into: &idempotencyKey) else { return nil }
            default:
                break
            }
        }
        guard hosts <= 1 else { return nil }  // refused on the router's side (`RequestHeadRules`)
    }

    /// The same from an HTTP-types request (a connection's first request, which reaches the fast path converted).
    init?(_ request: HTTPRequest, ordersPath: String) {
        guard request.method == .post, let path = request.path, RequestTarget.route(path) == ordersPath else { return nil }
        let fields = request.headerFields
        guard !fields.contains(.expect) else { return nil }
        let connection = fields.value(.connection)
        if let connection, ASCII.contains(connection, caseInsensitive: "close") { return nil }
        confirmsKeepAlive = ConnectionPersistence.confirmsKeepAlive(connection)
        target = path
        authorization = fields.value(.authorization)
        idempotencyKey = fields.value(Gateway.idempotencyKeyField)
        contentType = fields.value(.contentType)
        contentLength = fields.value(.contentLength)
    }

    /// The query, as `Request.uri.query` gives it to the router.
    var query: String? { RequestTarget.query(target) }

    /// Keeps a header's value; false when the header came before or HTTP types would rewrite its value.
    private static func take(_ value: String, into slot: inout String?) -> Bool {
        guard slot == nil, HTTPField.isValidValue(value) else { return false }
        slot = value
        return true
    }
}
