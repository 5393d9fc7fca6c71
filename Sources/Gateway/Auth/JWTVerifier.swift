import Crypto
import ExchangeRecords
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Verifies JWTs from an identity provider (an Okta-style IdP in front of the exchange).
///
/// Only the configured algorithm is accepted (HS256 with a shared secret or RS256 with the
/// IdP's public key), so a token cannot pick its own algorithm (`none`, or HS256 keyed with the
/// RSA public key). `exp` is required; `nbf`, `iss` and `aud` are checked when configured.
/// The trader id comes from a claim, `sub` by default. Small enough not to need jwt-kit.
public struct JWTVerifier: Sendable {
    public enum Key: Sendable {
        case hs256(secret: [UInt8])
        case rs256(publicKey: _RSA.Signing.PublicKey)
    }

    public var key: Key
    public var issuer: String?
    public var audience: String?
    public var traderClaim: String
    /// Allowed clock skew for `exp`/`nbf`, seconds.
    public var leeway: Int64

    public init(key: Key, issuer: String? = nil, audience: String? = nil, traderClaim: String = "sub", leeway: Int64 = 30) {
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.traderClaim = traderClaim
        self.leeway = leeway
    }

    /// RS256 from a PEM public key (`-----BEGIN PUBLIC KEY-----`).
    public static func rs256(pem: String, issuer: String? = nil, audience: String? = nil) throws -> JWTVerifier {
        JWTVerifier(key: .rs256(publicKey: try _RSA.Signing.PublicKey(unsafePEMRepresentation: pem)), issuer: issuer, audience: audience)
    }

    /// Looks like a JWT (three dot-separated parts), as opposed to an API key.
    public static func isJWT(_ token: String) -> Bool {
        token.utf8.lazy.filter { $0 == UInt8(ascii: ".") }.count == 2
    }

    /// Returns the trader id, or a reason the token is not acceptable.
    public func verify(_ token: String, now: Int64) -> Result<String, APIError> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = JWTVerifier.base64URLDecode(parts[0]),
              let payloadBytes = JWTVerifier.base64URLDecode(parts[1]),
              let signature = JWTVerifier.base64URLDecode(parts[2]),
              let header = try? JSONValue.parse(headerBytes),
              let claims = try? JSONValue.parse(payloadBytes)
        else { return .failure(.unauthenticated("malformed JWT")) }

        let signed = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        switch key {
        case .hs256(let secret):
            guard header["alg"] == .string("HS256") else { return .failure(.unauthenticated("JWT alg must be HS256")) }
            guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: SymmetricKey(data: secret)) else {
                return .failure(.unauthenticated("JWT signature is invalid"))
            }
        case .rs256(let publicKey):
            guard header["alg"] == .string("RS256") else { return .failure(.unauthenticated("JWT alg must be RS256")) }
            let valid = publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5)
            guard valid else { return .failure(.unauthenticated("JWT signature is invalid")) }
        }

        guard case .number(let expText)? = claims["exp"], let exp = Int64(expText) else {
            return .failure(.unauthenticated("JWT has no numeric exp claim"))
        }
        // exp and nbf are the client's numbers: compared without arithmetic on them, which could overflow.
        if now.subtractingSaturated(leeway) > exp { return .failure(.unauthenticated("JWT has expired")) }
        if case .number(let nbfText)? = claims["nbf"], let nbf = Int64(nbfText), now.addingSaturated(leeway) < nbf {
            return .failure(.unauthenticated("JWT is not valid yet"))
        }
        if let issuer, claims["iss"] != .string(issuer) { return .failure(.unauthenticated("JWT issuer is not accepted")) }
        if let audience {
            let ok: Bool
            switch claims["aud"] {
            case .string(let a)?: ok = a == audience
            case .array(let list)?: ok = list.contains(.string(audience))
            default: ok = false
            }
            if !ok { return .failure(.unauthenticated("JWT audience is not accepted")) }
        }
        guard case .string(let trader)? = claims[traderClaim], !trader.isEmpty else {
            return .failure(.unauthenticated("JWT has no '\(traderClaim)' claim"))
        }
        return .success(trader)
    }

    static func base64URLDecode(_ part: Substring) -> [UInt8]? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map(Array.init)
    }

    static func base64URLEncode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Issues an HS256 token (for tests, demos and `exchange trader --jwt-secret`).
    public static func signHS256(claims: JSONValue, secret: [UInt8]) -> String {
        let header = base64URLEncode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64URLEncode(Array(claims.serialized().utf8))
        let signingInput = header + "." + payload
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret))
        return signingInput + "." + base64URLEncode(Array(mac))
    }
}
