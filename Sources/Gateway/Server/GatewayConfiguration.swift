#if canImport(FoundationEssentials)
import ExchangeRecords
import FoundationEssentials
#else
import Foundation
#endif

/// How the gateway listens, limits and authenticates. Every field has a safe default; the
/// `exchange gateway` command fills it from flags, a keys file and the environment.
public struct GatewayConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (tests).
    public var port: Int = 8080
    /// The versioned prefix every route lives under.
    public var prefix: String = "/v1"
    /// Largest accepted request body, bytes.
    public var maxBodySize: Int = 16 * 1024
    /// Most bytes of one request's body the server reads. A body over `maxBodySize` gets its 413 and is read and
    /// dropped up to this, so the connection stays usable; a larger one (declared or chunked) gets its 413 and the
    /// connection closes.
    public var maxBodyRead: Int = 1 << 20
    /// A request's body must be complete within this long of its head, or the request gets a 408 and the connection
    /// closes: the idle timeout counts silence, and a body trickling in a byte at a time is never silent for long.
    public var bodyTimeout: Duration = .seconds(30)
    /// Per-trader token bucket; a rate <= 0 disables limiting.
    public var rateLimitPerSecond: Double = 200
    public var rateLimitBurst: Double = 400
    /// Idempotency answers remembered (oldest forgotten first).
    public var idempotencyCapacity: Int = 1_000_000
    /// A connection that sends no complete request head for this long (first request, or between keep-alive
    /// requests) is closed, so idle or stalled clients cannot hold connections forever. WebSockets are not affected.
    public var idleTimeout: Duration = .seconds(60)
    public var authenticator: Authenticator = Authenticator(keys: APIKeyStore())
    /// Serve `POST /orders` on the event loop (`OrderFastPathHandler`) instead of through
    /// Hummingbird's router: the same answers at several times the rate. Off routes every request
    /// through the router (for comparison).
    public var fastOrderPath = true
    /// Pre-trade limits per trader (none by default).
    public var limits = PreTradeLimits()
    /// The Kite Connect v3 API at the server root (`Kite/`).
    public var kite = KiteSettings()
    /// Market data (the WebSocket's trades, quotes, SMA, the browser's panels) for connections without credentials.
    /// Off: every WebSocket needs a key or JWT, as every route does. `exchange run` turns it on (the embedded demo).
    public var publicMarketData = false
    /// How often a watching WebSocket gets its changed panels (`MarketWatch`): a page redraws at most this often.
    public var marketDataInterval: Duration = .milliseconds(250)
    /// Serve the trading screen (`GET /`, `/ui/…`).
    public var serveUI = true

    public init() {}

    /// Environment variables read by `loadAuthentication`.
    public enum Environment {
        /// `trader:key,trader:key` plain keys (hashed on load).
        public static let apiKeys = "EXCHANGE_API_KEYS"
        /// `trader:sha256hex,…` pre-hashed keys.
        public static let apiKeyHashes = "EXCHANGE_API_KEY_HASHES"
        /// Path of a JSON keys file (see `loadKeysFile`).
        public static let keysFile = "EXCHANGE_KEYS_FILE"
        public static let jwtSecret = "EXCHANGE_JWT_HS256_SECRET"
        public static let jwtPublicKeyFile = "EXCHANGE_JWT_RS256_PUBLIC_KEY_FILE"
        public static let jwtIssuer = "EXCHANGE_JWT_ISSUER"
        public static let jwtAudience = "EXCHANGE_JWT_AUDIENCE"
    }

    /// Loads keys and the optional JWT verifier from a keys file and the environment.
    ///
    /// Keys file (JSON): `{"api_keys":[{"trader_id":"alice","key_sha256":"<hex>"},
    /// {"trader_id":"bob","key":"<plain, dev only>"}], "jwt":{"hs256_secret":"…"|"rs256_public_key_pem":"…",
    /// "issuer":"…","audience":"…","trader_claim":"sub"}}`.
    public mutating func loadAuthentication(keysFile: String?, environment: [String: String]) throws {
        var keys = APIKeyStore()
        var jwt: JWTVerifier?
        if let path = keysFile ?? environment[Environment.keysFile] {
            let (fileKeys, fileJWT) = try GatewayConfiguration.loadKeysFile(path)
            keys = fileKeys
            jwt = fileJWT
        }
        if let pairs = environment[Environment.apiKeys] { try keys.addPairs(pairs, hashed: false) }
        if let pairs = environment[Environment.apiKeyHashes] { try keys.addPairs(pairs, hashed: true) }
        let issuer = environment[Environment.jwtIssuer]
        let audience = environment[Environment.jwtAudience]
        if let secret = environment[Environment.jwtSecret] {
            jwt = JWTVerifier(key: .hs256(secret: Array(secret.utf8)), issuer: issuer, audience: audience)
        } else if let pemPath = environment[Environment.jwtPublicKeyFile] {
            let pem = try String(contentsOfFile: pemPath, encoding: .utf8)
            jwt = try JWTVerifier.rs256(pem: pem, issuer: issuer, audience: audience)
        }
        authenticator = Authenticator(keys: keys, jwt: jwt)
    }

    public static func loadKeysFile(_ path: String) throws -> (APIKeyStore, JWTVerifier?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("keys file \(path) cannot be read")
        }
        let doc: JSONValue
        do { doc = try JSONValue.parse(Array(data)) } catch {
            throw ConfigurationError("keys file \(path): malformed JSON at byte \(error.offset): \(error.reason)")
        }
        var keys = APIKeyStore()
        if case .array(let entries)? = doc["api_keys"] {
            for entry in entries {
                guard case .string(let trader)? = entry["trader_id"] else {
                    throw ConfigurationError("keys file \(path): every api_keys entry needs a trader_id string")
                }
                if case .string(let digest)? = entry["key_sha256"] {
                    try keys.add(trader: trader, digest: digest)
                } else if case .string(let key)? = entry["key"] {
                    keys.add(trader: trader, key: key)
                } else {
                    throw ConfigurationError("keys file \(path): entry for \(trader) needs key_sha256 (or key)")
                }
            }
        }
        var jwt: JWTVerifier?
        if let j = doc["jwt"] {
            func text(_ k: String) -> String? { if case .string(let s)? = j[k] { return s } else { return nil } }
            if let secret = text("hs256_secret") {
                jwt = JWTVerifier(key: .hs256(secret: Array(secret.utf8)), issuer: text("issuer"), audience: text("audience"))
            } else if let pem = text("rs256_public_key_pem") {
                jwt = try JWTVerifier.rs256(pem: pem, issuer: text("issuer"), audience: text("audience"))
            } else {
                throw ConfigurationError("keys file \(path): jwt needs hs256_secret or rs256_public_key_pem")
            }
            if let claim = text("trader_claim") { jwt?.traderClaim = claim }
        }
        return (keys, jwt)
    }
}
