import ArgumentParser
import ExchangeRecords
import Foundation
import Gateway

/// The Kite Connect layer's flags, shared by `exchange run` and `exchange gateway`.
struct KiteOptions: ParsableArguments {
    @Option(
        name: .customLong("kite-app"),
        help: "A Kite Connect app as api_key:api_secret, for the login flow (repeatable; also $EXCHANGE_KITE_APPS, comma-separated). Without any, every api_key is accepted and POST /session/token is refused.")
    var apps: [String] = []

    @Option(name: .customLong("kite-starting-cash"), help: "Every trader's opening cash for the Kite margins (GET /user/margins).")
    var startingCash: FixedDecimal = FixedDecimal(micros: 1_000_000 * 1_000_000)

    @Flag(name: .customLong("no-kite"), help: "Do not serve the Kite Connect v3 API at the server root.")
    var disabled = false

    /// The settings, or the demo app `kite-sandbox:kite-sandbox-secret` when `demoApp` and none is configured.
    func settings(environment: [String: String], demoApp: Bool) throws -> KiteSettings {
        var settings = KiteSettings()
        settings.enabled = !disabled
        guard startingCash.micros >= 0 else { throw ValidationError("--kite-starting-cash must not be negative") }
        settings.startingCashMicros = startingCash.micros
        do {
            if let text = environment[KiteSettings.appsEnvironment] { try settings.addApps(text) }
            for app in apps { try settings.addApps(app) }
        } catch {
            throw ValidationError(error.description)
        }
        if demoApp, settings.enabled, settings.apps.isEmpty {
            settings.apps[KiteOptions.demoKey] = KiteOptions.demoSecret
            print("exchange: no Kite app configured; demo app api_key \(KiteOptions.demoKey), api_secret \(KiteOptions.demoSecret)")
        }
        return settings
    }

    static let demoKey = "kite-sandbox"
    static let demoSecret = "kite-sandbox-secret"
}
