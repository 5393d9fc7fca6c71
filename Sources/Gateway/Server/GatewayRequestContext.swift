import Hummingbird
import HummingbirdWebSocket

/// Per-request state: Hummingbird's core storage, the WebSocket handler slot, and the trader the
/// authentication middleware resolved.
public struct GatewayRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<GatewayRequestContext>
    public var trader: Trader?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.trader = nil
    }

    /// The authenticated trader; routes behind the auth middleware always have one.
    public func requireTrader() throws(APIError) -> Trader {
        guard let trader else { throw APIError.unauthenticated("missing credentials") }
        return trader
    }
}
