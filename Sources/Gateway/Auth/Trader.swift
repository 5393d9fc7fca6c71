/// An authenticated trader: the identity every order, view and WebSocket frame is scoped to.
public struct Trader: Sendable, Hashable {
    public var id: String
    /// Where the identity came from: `api-key` or `jwt`.
    public var method: String

    public init(id: String, method: String) {
        self.id = id
        self.method = method
    }
}
