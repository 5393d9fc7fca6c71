import Foundation
import HTTPTypes
import NIOHTTP1

extension Gateway {
    /// A connection's first request head, before NIO's upgrade handler sees it. That handler closed the connection
    /// without an answer whenever the request asked for an upgrade it could not make: `curl --http2` asks every
    /// plain-HTTP server for h2c, and a WebSocket handshake may lack its key, name another version, or go to a path
    /// that is not the stream's. Hummingbird answered a refused stream (bad credentials) with an empty 400.
    ///
    /// An upgrade this server does not offer there is ignored (RFC 9110 §7.8), so the request gets its usual answer;
    /// a handshake for the stream that cannot succeed gets the JSON error that says why.
    func screenUpgrade(_ head: inout HTTPRequestHead) -> APIError? {
        let protocols = head.headers[canonicalForm: "upgrade"]
        guard !protocols.isEmpty else { return nil }
        let route = RequestTarget.route(head.uri)
        let isKiteTicker = configuration.kite.enabled && route == Gateway.kiteTickerPath
        guard head.method == .GET, route == configuration.prefix + "/ws" || isKiteTicker,
            protocols.contains(where: { ASCII.equals(String($0), caseInsensitive: "websocket") })
        else {
            ConnectionPersistence.ignoreUpgrade(&head)
            return nil
        }
        if let error = Gateway.handshakeError(
            upgrade: protocols.map(String.init), connection: head.headers[canonicalForm: "connection"].map(String.init),
            versions: head.headers["Sec-WebSocket-Version"], keys: head.headers["Sec-WebSocket-Key"])
        {
            return error
        }
        // The credentials now, so a refused stream gets the JSON 401; the route checks them again, with the rate limit.
        do {
            if isKiteTicker { return kiteScreen(head) }
            let authorization = Gateway.webSocketAuthorization(
                header: head.headers["Authorization"].first, protocols: head.headers["Sec-WebSocket-Protocol"])
            let query = RequestTarget.query(head.uri)
            if !allowsAnonymousWebSocket(authorization: authorization, query: query) {
                _ = try authentication.authenticate(authorization: authorization, query: query)
            }
        } catch {
            return error
        }
        return nil
    }

    static let webSocketVersionField = HTTPField.Name("Sec-WebSocket-Version")!

    /// What is wrong with a WebSocket handshake (RFC 6455 §4.2.1), from its headers' values (comma lists split); nil
    /// for a sound one. The first request of a connection is screened with it before NIO's upgrade handler, and the
    /// route checks every request with it, so a later request on a kept-alive connection is refused alike.
    static func handshakeError(upgrade: [String], connection: [String], versions: [String], keys: [String]) -> APIError? {
        guard upgrade.contains(where: { ASCII.equals($0, caseInsensitive: "websocket") }),
              connection.contains(where: { ASCII.equals($0, caseInsensitive: "upgrade") })
        else { return notAWebSocketHandshake }
        // Version 13, and a key of 16 bytes in base64.
        guard versions == ["13"] else {
            var error = APIError.input("Sec-WebSocket-Version", "must be 13", status: .upgradeRequired)
            error.headers[Self.webSocketVersionField] = "13"
            return error
        }
        guard keys.count == 1, Data(base64Encoded: keys[0])?.count == 16 else {
            return .input("Sec-WebSocket-Key", "must be 16 bytes in base64")
        }
        return nil
    }

    static func handshakeError(_ headers: HTTPFields) -> APIError? {
        func tokens(_ name: HTTPField.Name) -> [String] {
            headers[values: name].flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        return handshakeError(
            upgrade: tokens(.upgrade), connection: tokens(.connection), versions: headers[values: webSocketVersionField],
            keys: headers[values: webSocketKeyField])
    }

    static let webSocketKeyField = HTTPField.Name("Sec-WebSocket-Key")!

    /// 426 for a request to the stream that is not a handshake (RFC 9110 §15.5.22: name the protocol to upgrade to).
    static var notAWebSocketHandshake: APIError {
        var error = APIError.input("Upgrade", "must be websocket (with Connection: Upgrade): this path is a WebSocket", status: .upgradeRequired)
        error.headers[.upgrade] = "websocket"
        return error
    }
}
