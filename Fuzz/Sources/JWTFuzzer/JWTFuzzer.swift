import Crypto
import ExchangeRecords
import FuzzSupport
@testable import Gateway
import _CryptoExtras

/// The JWT verifier. The first byte picks the mode: even, the rest is a whole token (as an `Authorization`
/// header brings it), verified with an HS256 and an RS256 key; odd, the rest is the claims, signed HS256 with
/// the verifier's secret, so the claims checks (`exp`/`nbf` arithmetic, issuer, audience, trader) are reached.
let secret = Array("fuzz-secret-0123456789abcdef".utf8)
let now: Int64 = 1_700_000_000
let hs256 = JWTVerifier(key: .hs256(secret: secret))
let hs256Configured = JWTVerifier(key: .hs256(secret: secret), issuer: "https://idp.example", audience: "exchange", traderClaim: "uid")
let rs256: JWTVerifier? = {
    guard let key = try? _RSA.Signing.PrivateKey(keySize: .bits2048) else { return nil }
    return JWTVerifier(key: .rs256(publicKey: key.publicKey))
}()
let header = JWTVerifier.base64URLEncode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    guard let mode = input.first else { return 0 }
    let rest = input.dropFirst()
    if mode & 1 == 0 {
        let token = text(rest)
        _ = hs256.verify(token, now: now)
        _ = rs256?.verify(token, now: now)
    } else {
        let signingInput = header + "." + JWTVerifier.base64URLEncode(Array(rest))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret))
        let token = signingInput + "." + JWTVerifier.base64URLEncode(Array(mac))
        for verifier in [hs256, hs256Configured] {
            guard case .success(let trader) = verifier.verify(token, now: now) else { continue }
            // A token it accepts names its trader in the configured claim, as JSON read it.
            let claims = try? JSONValue.parse(rest)
            require(claims?[verifier.traderClaim] == .string(trader), "accepted \(text(rest)) as trader \(trader)")
        }
    }
    return 0
}

@_cdecl("JWTFuzzer_main")
public func JWTFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzJWT)
}
