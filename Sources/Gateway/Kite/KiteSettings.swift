/// The Kite Connect v3 layer's settings (`Gateway+Kite.swift`): which apps may log in, and the cash each trader
/// starts with for `GET /user/margins`.
public struct KiteSettings: Sendable {
    /// Serve Kite's paths at the server root, beside the gateway's prefix.
    public var enabled = true
    /// Kite apps: `api_key` → `api_secret`, the secret of the login checksum. With none, any `api_key` is accepted
    /// in `Authorization: token api_key:access_token`, and `POST /session/token` is refused (no secret to check).
    public var apps: [String: String] = [:]
    /// Every trader's opening cash balance (micro-units), the same for all.
    public var startingCashMicros: Int64 = 1_000_000 * 1_000_000

    public init() {}

    /// Environment variable with `api_key:api_secret,…`.
    public static let appsEnvironment = "EXCHANGE_KITE_APPS"

    /// Adds `api_key:api_secret` pairs (comma-separated).
    public mutating func addApps(_ text: String) throws(ConfigurationError) {
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigurationError("kite app '\(pair)' is not api_key:api_secret")
            }
            apps[parts[0]] = parts[1]
        }
    }
}
