import ExchangeRecords
import Gateway
import Testing

/// A token's numbers are the client's: a correctly signed token with any `exp` or `nbf` must get an answer, never
/// trap the process (an `exp` near `Int64.max` once overflowed `exp + leeway` and ended the gateway).
@Suite struct JWTClaimBoundsTests {
    static let secret = Array("claim-bounds-secret".utf8)

    static func verdict(exp: Int64?, nbf: Int64? = nil, now: Int64, leeway: Int64 = 30) -> String {
        var claims: [(String, JSONValue)] = [("sub", .string("alice"))]
        if let exp { claims.append(("exp", .int(exp))) }
        if let nbf { claims.append(("nbf", .int(nbf))) }
        let token = JWTVerifier.signHS256(claims: .object(claims), secret: secret)
        switch JWTVerifier(key: .hs256(secret: secret), leeway: leeway).verify(token, now: now) {
        case .success(let trader): return trader
        case .failure(let error): return error.message
        }
    }

    @Test(arguments: [Int64.max, Int64.max - 1, 9_223_372_036_854_775_800, Int64.max - 30])
    func anExpNearTheLargestNumberIsAnUnexpiredToken(exp: Int64) {
        #expect(Self.verdict(exp: exp, now: 1_700_000_000) == "alice")
    }

    @Test(arguments: [Int64.min, Int64.min + 1, -9_223_372_036_854_775_800])
    func anExpNearTheSmallestNumberHasExpired(exp: Int64) {
        #expect(Self.verdict(exp: exp, now: 1_700_000_000) == "JWT has expired")
    }

    @Test func nbfAtEitherBoundIsJudgedNotTrapped() {
        #expect(Self.verdict(exp: .max, nbf: .max, now: 1_700_000_000) == "JWT is not valid yet")
        #expect(Self.verdict(exp: .max, nbf: .min, now: 1_700_000_000) == "alice")
    }

    @Test func aLeewayAtEitherBoundIsHeldThere() {
        #expect(Self.verdict(exp: 0, now: .max, leeway: .max) == "alice")
        #expect(Self.verdict(exp: .max, nbf: .max, now: .min, leeway: .min) == "JWT is not valid yet")
        #expect(Self.verdict(exp: .min, now: .max, leeway: .min) == "JWT has expired")
    }

    @Test func theLeewayStillCounts() {
        #expect(Self.verdict(exp: 1_000, now: 1_029) == "alice")
        #expect(Self.verdict(exp: 1_000, now: 1_031) == "JWT has expired")
        #expect(Self.verdict(exp: 2_000, nbf: 1_040, now: 1_000) == "JWT is not valid yet")
        #expect(Self.verdict(exp: 2_000, nbf: 1_020, now: 1_000) == "alice")
    }
}
