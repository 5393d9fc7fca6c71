import Crypto
import ExchangeRecords
import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Kite Connect v3 HTTP API at Kite's own paths (the server root, beside the gateway's prefix), so the official
/// clients work with only their `root` changed. It adapts the gateway's own parts — the authenticator, the order
/// parser and log, the read model, the history — and keeps nothing of its own beyond sessions and order terms
/// (`KiteState`). docs/kite-sandbox.md lists what maps to what.
extension Gateway {
    func addKiteRoutes(to router: Router<GatewayRequestContext>) {
        let open = router.group()
        open.post("session/token") { request, _ in try await self.kiteLogin(request) }
        let api = router.group().add(middleware: KiteAuthMiddleware(gateway: self))
        api.delete("session/token") { request, context in try self.kiteLogout(request, context) }
        api.get("user/profile") { _, context in try self.kiteProfile(context) }
        api.get("user/margins") { _, context in try self.kiteMargins(context, segment: nil) }
        api.get("user/margins/{segment}") { _, context in try self.kiteMargins(context, segment: context.parameters.get("segment")) }
        api.get("portfolio/positions") { _, context in try self.kitePositions(context) }
        api.get("portfolio/holdings") { _, _ in Response.kite(.array([])) }
        api.get("instruments") { _, _ in self.kiteInstruments(exchange: nil) }
        api.get("instruments/{exchange}") { _, context in self.kiteInstruments(exchange: context.parameters.get("exchange")) }
        api.get("instruments/historical/{token}/{interval}") { request, context in try await self.kiteHistorical(request, context) }
        api.get("quote") { request, _ in try self.kiteQuote(request, .full) }
        api.get("quote/ohlc") { request, _ in try self.kiteQuote(request, .ohlc) }
        api.get("quote/ltp") { request, _ in try self.kiteQuote(request, .ltp) }
        api.get("orders") { _, context in try self.kiteOrders(context) }
        // One parameter name per depth ({id}, then {order_id}): the router keeps one node per position.
        api.post("orders/{id}") { request, context in try await self.kitePlace(request, context) }
        api.get("orders/{id}") { _, context in try self.kiteOrderHistory(context) }
        api.get("orders/{id}/trades") { _, context in try self.kiteOrderTrades(context) }
        api.put("orders/{id}/{order_id}") { request, context in try await self.kiteModify(request, context) }
        api.delete("orders/{id}/{order_id}") { _, context in try await self.kiteCancel(context) }
        api.get("trades") { _, context in try self.kiteTrades(context) }
        api.ws("ws", shouldUpgrade: { request, _ in
            if let error = Gateway.handshakeError(request.headers) { throw error }
            return .upgrade([:])
        }) { inbound, outbound, context in
            guard let trader = context.requestContext.trader else { return }
            try await KiteTickerSession(gateway: self, trader: trader).run(inbound: inbound, outbound: outbound)
        }
    }

    /// The ticker's path: `KiteTicker(…, root="ws://host:port/ws")`.
    static let kiteTickerPath = "/ws"

    /// The instruments with their Kite tokens.
    var kiteTokens: KiteInstrumentTokens { KiteInstrumentTokens(instruments.all) }

    /// A request's form parameters: the body of a POST or PUT, or the query.
    func kiteForm(_ request: Request) async throws -> KiteForm {
        if request.method == .post || request.method == .put {
            if let type = request.headers[.contentType],
               !ASCII.hasPrefix(type, caseInsensitive: "application/x-www-form-urlencoded") {
                throw APIError(
                    status: .unsupportedMediaType, errorType: "InputException",
                    message: "Content-Type must be application/x-www-form-urlencoded", field: "Content-Type",
                    reason: "must be application/x-www-form-urlencoded")
            }
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: configuration.maxBodySize)
            } catch is NIOTooManyBytesError {
                throw bodyTooLarge
            }
            return try KiteForm(buffer.readableBytesView)
        }
        return try KiteForm(Array((request.uri.query ?? "").utf8))
    }

    // MARK: session

    /// `POST /session/token`: `api_key`, `request_token` (the trader's gateway API key: the sandbox has no login
    /// page) and `checksum` = SHA-256(api_key + request_token + api_secret), as `generate_session` sends them.
    func kiteLogin(_ request: Request) async throws -> Response {
        let form = try await kiteForm(request)
        guard let apiKey = form["api_key"], !apiKey.isEmpty else { throw APIError.input("api_key", "is required") }
        guard let requestToken = form["request_token"], !requestToken.isEmpty else { throw APIError.input("request_token", "is required") }
        guard let checksum = form["checksum"], !checksum.isEmpty else { throw APIError.input("checksum", "is required") }
        guard let secret = configuration.kite.apps[apiKey] else {
            throw KiteAuthMiddleware.tokenError(
                configuration.kite.apps.isEmpty ? "no Kite apps are configured (--kite-app api_key:api_secret)" : "invalid api_key")
        }
        guard checksum.lowercased() == APIKeyStore.digest(of: apiKey + requestToken + secret) else {
            throw KiteAuthMiddleware.tokenError("invalid checksum")
        }
        let trader: Trader
        do {
            trader = try authentication.authenticate(authorization: "Bearer " + requestToken, query: nil)
        } catch {
            throw KiteAuthMiddleware.tokenError("invalid request_token (the sandbox takes your gateway API key as request_token)")
        }
        let accessToken = Gateway.randomToken()
        kite.startSession(accessToken: accessToken, KiteState.Session(apiKey: apiKey, trader: trader.id))
        var members = kiteProfileMembers(trader.id)
        members += [
            ("api_key", .string(apiKey)), ("access_token", .string(accessToken)), ("public_token", .string(Gateway.randomToken())),
            ("refresh_token", .string("")), ("enctoken", .string("")),
            ("login_time", .string(KiteFormat.timestamp(Gateway.nowMillis()))),
        ]
        return Response.kite(.object(members))
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// `DELETE /session/token?api_key=…&access_token=…`: ends a session (a gateway API key used as a token stays valid).
    func kiteLogout(_ request: Request, _ context: GatewayRequestContext) throws -> Response {
        let form = try KiteForm(Array((request.uri.query ?? "").utf8))
        guard let token = form["access_token"], !token.isEmpty else { throw APIError.input("access_token", "is required") }
        _ = kite.endSession(token)
        return Response.kite(.bool(true))
    }

    func kiteProfileMembers(_ trader: String) -> [(String, JSONValue)] {
        let exchanges = Set(instruments.all.map(\.exchange)).sorted()
        return [
            ("user_id", .string(trader)), ("user_name", .string(trader)), ("user_shortname", .string(trader)),
            ("user_type", .string("individual")), ("email", .string("")), ("broker", .string("SANDBOX")),
            ("exchanges", .array(exchanges.map(JSONValue.string))),
            ("products", .array(KiteOrderTerms.products.sorted().map(JSONValue.string))),
            ("order_types", .array([.string("MARKET"), .string("LIMIT")])),
            ("avatar_url", .null), ("meta", .object([("demat_consent", .string(""))])),
        ]
    }

    func kiteProfile(_ context: GatewayRequestContext) throws -> Response {
        Response.kite(.object(kiteProfileMembers(try context.requireTrader().id)))
    }
}

extension Response {
    /// Kite's success envelope, always 200.
    static func kite(_ data: JSONValue) -> Response { success(data) }
}
