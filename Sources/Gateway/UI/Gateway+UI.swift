import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The trading screen: `GET /` (the page), `GET /ui/app.js` and `GET /ui/app.css` (and `HEAD` of each), compiled into the binary
/// (`Package.swift` embeds `UI/assets/`), so a machine without internet serves it whole. The page talks to the same
/// API every client uses (`<prefix>/…` with the key typed in, and the WebSocket's `watch` panels).
///
/// Every answer carries a Content-Security-Policy that allows this origin alone and no inline script or style, so a
/// symbol or id that slipped into markup could still run nothing (the page writes them as text, never as HTML).
extension Gateway {
    struct UIAsset: Sendable {
        let contentType: String
        let bytes: [UInt8]
    }

    static let uiAssets: [String: UIAsset] = [
        "/": UIAsset(contentType: "text/html; charset=utf-8", bytes: PackageResources.index_html),
        "/ui/app.js": UIAsset(contentType: "text/javascript; charset=utf-8", bytes: PackageResources.app_js),
        "/ui/app.css": UIAsset(contentType: "text/css; charset=utf-8", bytes: PackageResources.app_css),
    ]

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let referrerPolicyField = HTTPField.Name("Referrer-Policy")!

    /// `GET` and `HEAD` (the same headers, no body) of each file.
    func addUIRoutes(to router: Router<GatewayRequestContext>) {
        for (path, asset) in Gateway.uiAssets {
            let served = path == "/" ? Gateway.page(asset, prefix: configuration.prefix, publicMarketData: configuration.publicMarketData) : asset
            router.get(RouterPath(path)) { _, _ in Gateway.uiResponse(served) }
            router.head(RouterPath(path)) { _, _ in Gateway.uiResponse(served).createHeadResponse() }
        }
    }

    /// The page as this gateway serves it: its API prefix in the `exchange-api` meta tag (the page is written for
    /// `/v1`), and `exchange-market-data` saying `key` when a WebSocket without credentials is refused, so the page
    /// asks to sign in rather than retrying a connection that cannot open.
    static func page(_ page: UIAsset, prefix: String, publicMarketData: Bool) -> UIAsset {
        guard prefix != "/v1" || !publicMarketData else { return page }
        var escaped = ""
        for c in prefix {
            switch c {
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(c)
            }
        }
        let text = String(decoding: page.bytes, as: UTF8.self)
            .replacing(#"<meta name="exchange-api" content="/v1">"#, with: #"<meta name="exchange-api" content=""# + escaped + #"">"#)
            .replacing(
                #"<meta name="exchange-market-data" content="open">"#,
                with: #"<meta name="exchange-market-data" content=""# + (publicMarketData ? "open" : "key") + #"">"#)
        return UIAsset(contentType: page.contentType, bytes: Array(text.utf8))
    }

    static func uiResponse(_ asset: UIAsset) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType, .contentSecurityPolicy: contentSecurityPolicy,
                .xContentTypeOptions: "nosniff", Gateway.referrerPolicyField: "no-referrer", .cacheControl: "no-cache",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
