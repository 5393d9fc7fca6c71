import NIOHTTP1

/// HTTP/1.0's connection rules, which Hummingbird does not keep: the HTTP-types request it works with has no version,
/// so it kept an HTTP/1.0 connection open after an answer the client had not asked to keep it for, and such a client
/// (ApacheBench without `-k`, for one) waited for the close until the idle timeout.
enum ConnectionPersistence {
    /// The head with `Connection: close` when it is HTTP/1.0 without `keep-alive`, so everything after the decoder
    /// (the fast path, Hummingbird's request loop) closes the connection after its answer, as for an HTTP/1.1 client
    /// that asks for it.
    static func normalized(_ head: HTTPRequestHead) -> HTTPRequestHead {
        guard head.version.major == 1, head.version.minor == 0, !head.isKeepAlive else { return head }
        var head = head
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        return head
    }

    /// Whether an answer confirms `Connection: keep-alive`: an HTTP/1.0 client that asked for it takes the connection
    /// as closing after the answer unless the answer says so too (an HTTP/1.1 one ignores the header).
    static func confirmsKeepAlive(_ connection: String?) -> Bool {
        guard let connection else { return false }
        return ASCII.contains(connection, caseInsensitive: "keep-alive") && !ASCII.contains(connection, caseInsensitive: "close")
    }
}
