import HTTPTypes

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Resolves `Authorization: Bearer …` to a trader: an API key, or a JWT when a verifier is set.
public struct Authenticator: Sendable {
    public var keys: APIKeyStore
    public var jwt: JWTVerifier?

    public init(keys: APIKeyStore, jwt: JWTVerifier? = nil) {
        self.keys = keys
        self.jwt = jwt
    }

    /// The bearer token of a request: the `Authorization` header, or (for browser WebSockets,
    /// which cannot set headers) an `access_token` query parameter.
    static func token(headers: HTTPFields, query: String?) -> String? {
        if let header = headers[.authorization] {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return "" }
            return trimmed.dropFirst(7).trimmingCharacters(in: .whitespaces)
        }
        if let query {
            for pair in query.split(separator: "&") where pair.hasPrefix("access_token=") {
                return String(pair.dropFirst("access_token=".count)).removingPercentEncoding
            }
        }
        return nil
    }

    public func authenticate(token: String?, now: Int64) -> Result<Trader, APIError> {
        guard let token else { return .failure(.unauthenticated("missing Authorization: Bearer <api key or JWT>")) }
        guard !token.isEmpty else { return .failure(.unauthenticated("Authorization header must be 'Bearer <token>'")) }
        if let jwt, JWTVerifier.isJWT(token) {
            return jwt.verify(token, now: now).map { Trader(id: $0, method: "jwt") }
        }
        guard let trader = keys.trader(forKey: token) else { return .failure(.unauthenticated("unknown API key")) }
        return .success(Trader(id: trader, method: "api-key"))
    }
}
