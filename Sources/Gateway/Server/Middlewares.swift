import ExchangeMetrics
import HTTPTypes
import Hummingbird
import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Outermost middleware: turns every error into a JSON body (framework 404/405/413 included,
/// so no route ever answers HTML or an empty 500), records status and latency, and confirms a
/// `Connection: keep-alive` (see `ConnectionPersistence`).
struct ErrorAndMetricsMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let metrics: MetricsRegistry
    let allowedMethods: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as HTTPParserError {
            // The body did not parse (a bad chunk header, say) while the route read it: the client's fault, and the
            // connection closes after the answer, as the bytes after it cannot be read.
            response = try APIError.malformedRequest(error).response(from: request, context: context)
            response.headers[.connection] = "close"
        } catch let error as any HTTPResponseError {
            var apiError: APIError
            switch error.status {
            case .notFound:
                if let allow = allowedMethods.allow(path: request.uri.path) {
                    apiError = APIError(
                        status: .methodNotAllowed, errorType: "InputException",
                        message: "\(request.method) is not allowed on \(request.uri.path); allowed: \(allow)")
                    apiError.headers[.allow] = allow
                } else {
                    apiError = .notFound("no route for \(request.method) \(request.uri.path)")
                }
            case .contentTooLarge: apiError = APIError(status: .contentTooLarge, errorType: "InputException", message: "body is too large", field: "body", reason: "too large")
            default: apiError = APIError(status: error.status, errorType: "GeneralException", message: error.status.reasonPhrase)
            }
            response = try apiError.response(from: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            response = try APIError(status: .internalServerError, errorType: "GeneralException", message: "internal error")
                .response(from: request, context: context)
        }
        metrics.observe(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code, since: start)
        if ConnectionPersistence.confirmsKeepAlive(request.headers.value(.connection)) { response.headers[.connection] = "keep-alive" }
        return response
    }
}

/// Resolves the bearer token to a trader (401 otherwise) and applies the per-trader rate limit
/// (429 with `Retry-After`).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let authenticator: Authenticator
    let limiter: RateLimiter
    let metrics: MetricsRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.trader = try authorize(headers: request.headers, query: request.uri.query)
        return try await next(request, context)
    }

    /// The trader a request acts for, within their rate limit.
    func authorize(headers: HTTPFields, query: String?) throws(APIError) -> Trader {
        try withinRateLimit(authenticate(authorization: headers.value(.authorization), query: query))
    }

    /// `authorize` for the fast path, given the `Authorization` value, on a connection that remembers its last
    /// API-key credential: a client on a kept-alive connection sends the same `Authorization` with every request, and
    /// resolving it again (the key's SHA-256, a table lookup) cost about 0.5 µs per order. API keys are fixed while
    /// the gateway runs; a JWT, which expires, is checked every time.
    func authorize(authorization: String?, query: String?, remembered: inout RememberedCredential?) throws(APIError) -> Trader {
        if let authorization, let remembered, remembered.authorization == authorization {
            return try withinRateLimit(remembered.trader)
        }
        let trader = try authenticate(authorization: authorization, query: query)
        if let authorization, trader.method == "api-key" {
            remembered = RememberedCredential(authorization: authorization, trader: trader)
        }
        return try withinRateLimit(trader)
    }

    /// The trader a credential names, without the rate limit.
    func authenticate(authorization: String?, query: String?) throws(APIError) -> Trader {
        let token = Authenticator.token(authorization: authorization, query: query)
        switch authenticator.authenticate(token: token, now: Int64(Date().timeIntervalSince1970)) {
        case .failure(let error):
            metrics.increment("exchange_gateway_unauthenticated_total")
            throw error
        case .success(let trader):
            return trader
        }
    }

    func withinRateLimit(_ trader: Trader) throws(APIError) -> Trader {
        if let wait = limiter.acquire(trader.id) {
            metrics.increment("exchange_gateway_rate_limited_total")
            var error = APIError(
                status: .tooManyRequests, errorType: "NetworkException",
                message: "rate limit of \(Int(limiter.ratePerSecond)) requests/s exceeded; retry after the Retry-After seconds")
            error.headers[.retryAfter] = String(max(1, Int(wait.rounded(.up))))
            throw error
        }
        return trader
    }
}

/// An `Authorization` value that named an API key, and its trader.
struct RememberedCredential {
    var authorization: String
    var trader: Trader
}
