import HTTPTypes
import Hummingbird
import HummingbirdWebSocket

import Foundation

/// `GET <prefix>/ws`: the WebSocket, and who it is for.
///
/// Credentials come as on every route (`Authorization: Bearer …`, or `?access_token=`), or — for a browser, which can
/// set no header on a WebSocket and should not put a key in a URL (proxies and logs keep URLs) — as the subprotocols
/// `exchange` and `bearer.<the token in base64url>`; the answer names `exchange` only, never the token. Without any
/// credentials the connection is anonymous (market data only) when `publicMarketData` is on, and refused with 401
/// otherwise.
extension Gateway {
    static let webSocketProtocolField = HTTPField.Name("Sec-WebSocket-Protocol")!
    /// The subprotocol the gateway answers with when the credentials came as a subprotocol.
    static let webSocketProtocol = "exchange"
    static let bearerProtocolPrefix = "bearer."

    func addWebSocketRoute(to group: RouterGroup<GatewayRequestContext>) {
        // A plain GET (no handshake) would otherwise be "upgraded" to an empty 200 that never becomes a WebSocket.
        group.add(middleware: WebSocketAuthenticationMiddleware(gateway: self))
            .ws("ws", shouldUpgrade: { request, _ in
                if let error = Gateway.handshakeError(request.headers) { throw error }
                let offered = Gateway.subprotocols(request.headers[values: Gateway.webSocketProtocolField])
                return .upgrade(offered.contains(Gateway.webSocketProtocol) ? [Gateway.webSocketProtocolField: Gateway.webSocketProtocol] : [:])
            }) { inbound, outbound, context in
                try await WebSocketSession(gateway: self, trader: context.requestContext.trader).run(inbound: inbound, outbound: outbound)
            }
    }

    /// The offered subprotocols, comma lists split.
    static func subprotocols(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// The `Authorization` value a WebSocket handshake carries: the header, else a `bearer.<base64url>` subprotocol
    /// made into one. A subprotocol that does not decode gives an `Authorization` no token matches (401).
    static func webSocketAuthorization(header: String?, protocols: [String]) -> String? {
        if let header { return header }
        guard let offered = subprotocols(protocols).first(where: { $0.hasPrefix(bearerProtocolPrefix) }) else { return nil }
        var base64 = String(offered.dropFirst(bearerProtocolPrefix.count))
            .replacing("-", with: "+").replacing("_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let token = String(data: data, encoding: .utf8) else { return "Bearer " }
        return "Bearer " + token
    }

    /// A handshake with no credentials at all, where market data is public.
    func allowsAnonymousWebSocket(authorization: String?, query: String?) -> Bool {
        authorization == nil && configuration.publicMarketData && Authenticator.token(authorization: nil, query: query) == nil
    }

    /// The trader a WebSocket handshake acts for; nil for an anonymous one the gateway allows; 401 or 429 otherwise.
    func webSocketTrader(authorization: String?, protocols: [String], query: String?) throws(APIError) -> Trader? {
        let authorization = Gateway.webSocketAuthorization(header: authorization, protocols: protocols)
        if allowsAnonymousWebSocket(authorization: authorization, query: query) { return nil }
        var remembered: RememberedCredential?
        return try authentication.authorize(authorization: authorization, query: query, remembered: &remembered)
    }
}

/// Resolves a WebSocket handshake's credentials (`Gateway.webSocketTrader`) before the upgrade.
struct WebSocketAuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.trader = try gateway.webSocketTrader(
            authorization: request.headers[.authorization], protocols: request.headers[values: Gateway.webSocketProtocolField],
            query: request.uri.query)
        return try await next(request, context)
    }
}
