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
    static func token(authorization: String?, query: String?) -> String? {
        if let authorization { return bearer(authorization) }
        if let query {
            for pair in query.split(separator: "&") where pair.hasPrefix("access_token=") {
                return String(pair.dropFirst("access_token=".count)).removingPercentEncoding
            }
        }
        return nil
    }

    /// The token of an `Authorization` value `Bearer <token>` (scheme case-insensitive, spaces and
    /// tabs around trimmed), or "" when the value is not a bearer credential. Works on the UTF-8
    /// bytes: it runs on every request.
    static func bearer(_ header: String) -> String {
        let bytes = Array(header.utf8)
        func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        var start = 0
        var end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        let scheme = Array("bearer ".utf8)
        guard end - start > scheme.count else { return "" }
        for (offset, expected) in scheme.enumerated() {
            let b = bytes[start + offset]
            // Letters in either case; the space must match exactly.
            guard ASCII.lower(b) == expected else { return "" }
        }
        start += scheme.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
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
