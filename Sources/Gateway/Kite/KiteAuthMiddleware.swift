import HTTPTypes
import Hummingbird
import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Kite's credentials: `Authorization: token api_key:access_token` (the ticker's WebSocket gives both in its query).
/// The access token is one `POST /session/token` issued, or the trader's gateway API key or JWT itself. Failures
/// are Kite's `TokenException` with HTTP 403, which its clients take as "log in again".
struct KiteAuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let (apiKey, accessToken) = try KiteAuthMiddleware.credentials(
            authorization: request.headers[.authorization], query: request.uri.query)
        context.trader = try gateway.authentication.withinRateLimit(gateway.kiteTrader(apiKey: apiKey, accessToken: accessToken))
        return try await next(request, context)
    }

    static func tokenError(_ message: String) -> APIError {
        APIError(status: .forbidden, errorType: "TokenException", message: message)
    }

    /// `api_key` and `access_token` from `token api_key:access_token`, else from the query (the ticker's form).
    static func credentials(authorization: String?, query: String?) throws(APIError) -> (String, String) {
        if let authorization {
            let trimmed = authorization.trimmingCharacters(in: .whitespaces)
            guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "token " else {
                throw tokenError("Authorization must be 'token api_key:access_token'")
            }
            let pair = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
            let parts = pair.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw tokenError("Authorization must be 'token api_key:access_token'")
            }
            return (String(parts[0]), String(parts[1]))
        }
        let form = try KiteForm(Array((query ?? "").utf8))
        guard let apiKey = form["api_key"], let accessToken = form["access_token"], !apiKey.isEmpty, !accessToken.isEmpty else {
            throw tokenError("missing Authorization: token api_key:access_token")
        }
        return (apiKey, accessToken)
    }
}

extension Gateway {
    /// The trader an `api_key` / `access_token` pair acts for, without the rate limit.
    func kiteTrader(apiKey: String, accessToken: String) throws(APIError) -> Trader {
        let apps = configuration.kite.apps
        if !apps.isEmpty, apps[apiKey] == nil { throw KiteAuthMiddleware.tokenError("invalid api_key") }
        if let session = kite.session(accessToken) {
            guard session.apiKey == apiKey else { throw KiteAuthMiddleware.tokenError("the access_token belongs to another api_key") }
            return Trader(id: session.trader, method: "kite-session")
        }
        do {
            return try authentication.authenticate(authorization: "Bearer " + accessToken, query: nil)
        } catch {
            throw KiteAuthMiddleware.tokenError("invalid or expired access_token")
        }
    }
}

extension Gateway {
    /// The ticker handshake's credentials, checked before the upgrade (`screenUpgrade`), so a refused one gets the JSON 403.
    func kiteScreen(_ head: HTTPRequestHead) -> APIError? {
        do {
            let (apiKey, accessToken) = try KiteAuthMiddleware.credentials(
                authorization: head.headers["Authorization"].first, query: RequestTarget.query(head.uri))
            _ = try kiteTrader(apiKey: apiKey, accessToken: accessToken)
            return nil
        } catch {
            return error
        }
    }
}
