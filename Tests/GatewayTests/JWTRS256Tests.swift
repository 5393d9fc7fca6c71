import Crypto
import ExchangeRecords
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import _CryptoExtras

/// RS256 tokens as an identity provider issues them: signed with the IdP's RSA private key, verified with its public
/// key (PEM), configured through the keys file or `EXCHANGE_JWT_RS256_PUBLIC_KEY_FILE`.
@Suite struct JWTRS256Tests {
    /// One key pair for the suite (2048-bit generation takes a moment).
    static let idp = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }
    static let now = Int64(Date().timeIntervalSince1970)

    static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// A compact JWS: header and claims as given, RS256 (PKCS#1 v1.5, SHA-256) signature by `key`.
    static func sign(header: String = #"{"alg":"RS256","typ":"JWT","kid":"idp-1"}"#, claims: String, key: _RSA.Signing.PrivateKey) throws -> String {
        let input = base64URL(Array(header.utf8)) + "." + base64URL(Array(claims.utf8))
        let signature = try key.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + base64URL(signature.rawRepresentation)
    }

    static func claims(sub: String = "carol", exp: Int64 = now + 300, iss: String = "https://idp.example", aud: String = "exchange") -> String {
        #"{"sub":"\#(sub)","exp":\#(exp),"iss":"\#(iss)","aud":["other","\#(aud)"]}"#
    }

    @Test func verifierAcceptsOnlyTokensSignedByTheIdPKey() throws {
        let key = try JWTRS256Tests.idp.get()
        let verifier = try JWTVerifier.rs256(pem: key.publicKey.pemRepresentation, issuer: "https://idp.example", audience: "exchange")
        let now = JWTRS256Tests.now
        func verdict(_ token: String) -> String {
            switch verifier.verify(token, now: now) {
            case .success(let trader): "trader \(trader)"
            case .failure(let error): error.message
            }
        }
        let valid = try JWTRS256Tests.sign(claims: JWTRS256Tests.claims(), key: key)
        #expect(verdict(valid) == "trader carol")

        // The claims swapped under the original signature.
        let parts = valid.split(separator: ".").map(String.init)
        let swapped = parts[0] + "." + JWTRS256Tests.base64URL(Array(JWTRS256Tests.claims(sub: "mallory").utf8)) + "." + parts[2]
        #expect(verdict(swapped) == "JWT signature is invalid")
        // Another key pair (someone else's IdP).
        let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(verdict(try JWTRS256Tests.sign(claims: JWTRS256Tests.claims(), key: stranger)) == "JWT signature is invalid")
        // Algorithm confusion: HS256 keyed with the public key text must not pass for RS256.
        let confused = JWTVerifier.signHS256(
            claims: try JSONValue.parse(Array(JWTRS256Tests.claims().utf8)), secret: Array(key.publicKey.pemRepresentation.utf8))
        #expect(verdict(confused) == "JWT alg must be RS256")
        #expect(verdict(JWTVerifierTestHelper.noneToken(sub: "carol", exp: now + 300) + "." + parts[2]) == "JWT alg must be RS256")
        // Claims checked after the signature.
        #expect(verdict(try JWTRS256Tests.sign(claims: JWTRS256Tests.claims(exp: now - 3_600), key: key)) == "JWT has expired")
        #expect(verdict(try JWTRS256Tests.sign(claims: JWTRS256Tests.claims(iss: "https://evil.example"), key: key)) == "JWT issuer is not accepted")
        #expect(verdict(try JWTRS256Tests.sign(claims: JWTRS256Tests.claims(aud: "someone-else"), key: key)) == "JWT audience is not accepted")
        #expect(verdict(parts[0] + "." + parts[1] + ".bm90LWEtc2lnbmF0dXJl") == "JWT signature is invalid")
    }

    @Test func gatewayConfiguredFromAKeysFileServesRS256Traders() async throws {
        let key = try JWTRS256Tests.idp.get()
        let pem = key.publicKey.pemRepresentation
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-rs256-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keysFile = directory.appendingPathComponent("keys.json")
        let document = JSONValue.object([
            ("api_keys", .array([.object([("trader_id", .string("alice")), ("key", .string(Keys.alice))])])),
            ("jwt", .object([("rs256_public_key_pem", .string(pem)), ("issuer", .string("https://idp.example")), ("audience", .string("exchange"))])),
        ])
        try Data(document.serialized().utf8).write(to: keysFile)

        var configuration = GatewayConfiguration()
        configuration.rateLimitPerSecond = 0
        try configuration.loadAuthentication(keysFile: keysFile.path, environment: [:])
        let sink = RecordingSink()
        let gateway = Gateway(configuration: configuration, instruments: testInstruments, sink: sink)
        let token = try JWTRS256Tests.sign(claims: JWTRS256Tests.claims(), key: key)
        try await gateway.application().test(.router) { client in
            let id = try await client.place(aliceBuy, key: token)
            #expect(sink.count == 1)
            if case .new(let order)? = sink.last { #expect(order.traderId == "carol") } else { Issue.record("no order") }
            let mine = try await client.send(.get, "/v1/orders/\(id)", key: token)
            #expect(mine.status == .ok)
            #expect(mine.data["trader_id"] == .string("carol"))
            // The API key still works beside the IdP, and does not see carol's order.
            #expect(try await client.send(.get, "/v1/orders/\(id)", key: Keys.alice).status == .notFound)
            let forged = try JWTRS256Tests.sign(claims: JWTRS256Tests.claims(), key: try _RSA.Signing.PrivateKey(keySize: .bits2048))
            let refused = try await client.send(.get, "/v1/orders", key: forged)
            #expect(refused.status == .unauthorized)
            #expect(refused.json["message"] == .string("JWT signature is invalid"))
        }

        // The same key through EXCHANGE_JWT_RS256_PUBLIC_KEY_FILE.
        let pemFile = directory.appendingPathComponent("idp.pem")
        try Data(pem.utf8).write(to: pemFile)
        var fromEnvironment = GatewayConfiguration()
        try fromEnvironment.loadAuthentication(keysFile: nil, environment: [
            GatewayConfiguration.Environment.jwtPublicKeyFile: pemFile.path, GatewayConfiguration.Environment.jwtAudience: "exchange",
        ])
        let verdict = fromEnvironment.authenticator.authenticate(token: token, now: JWTRS256Tests.now)
        #expect((try? verdict.get())?.id == "carol")
    }
}
