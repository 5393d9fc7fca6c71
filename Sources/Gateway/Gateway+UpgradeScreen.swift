import Foundation
import HTTPTypes
import NIOHTTP1

extension Gateway {
    /// A connection's first request head, before NIO's upgrade handler sees it. That handler closed the connection
    /// without an answer whenever the request asked for an upgrade it could not make: `curl --http2` asks every
    /// plain-HTTP server for h2c, and a WebSocket handshake may lack its key, name another version, or go to a path
    /// that is not the stream's. Hummingbird answered a refused stream (bad credentials) with an empty 400.
    ///
    /// An upgrade this server does not offer there is ignored (RFC 9110 §7.8), so the request gets its usual answer;
    /// a handshake for the stream that cannot succeed gets the JSON error that says why.
    func screenUpgrade(_ head: inout HTTPRequestHead) -> APIError? {
        let protocols = head.headers[canonicalForm: "upgrade"]
        guard !protocols.isEmpty else { return nil }
        guard head.method == .GET, RequestTarget.route(head.uri) == configuration.prefix + "/ws",
            protocols.contains(where: { ASCII.equals(String($0), caseInsensitive: "websocket") })
        else {
            head.headers.remove(name: "Upgrade")
            return nil
        }
        // RFC 6455 §4.2.1-2: version 13, and a key of 16 bytes in base64.
        guard head.headers["Sec-WebSocket-Version"] == ["13"] else {
            var error = APIError.input("Sec-WebSocket-Version", "must be 13", status: .upgradeRequired)
            error.headers[Self.webSocketVersionField] = "13"
            return error
        }
        let keys = head.headers["Sec-WebSocket-Key"]
        guard keys.count == 1, Data(base64Encoded: keys[0])?.count == 16 else {
            return .input("Sec-WebSocket-Key", "must be 16 bytes in base64")
        }
        // The credentials now, so a refused stream gets the JSON 401; the route checks them again, with the rate limit.
        do {
            _ = try authentication.authenticate(authorization: head.headers["Authorization"].first, query: RequestTarget.query(head.uri))
        } catch {
            return error
        }
        return nil
    }

    static let webSocketVersionField = HTTPField.Name("Sec-WebSocket-Version")!
}
