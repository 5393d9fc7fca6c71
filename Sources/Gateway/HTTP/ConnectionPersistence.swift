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

    /// `normalized` for a request head after the upgrade handler's turn (every one the fast path and Hummingbird's
    /// request loop see). Only a connection's first request can be upgraded, and the first is screened before that
    /// (`Gateway.screenUpgrade`); a later one asking for an upgrade got no answer at all, and NIO's decoder reads
    /// nothing after it. Its `Upgrade` is ignored (RFC 9110 §7.8), so it gets its usual answer, and the connection
    /// closes after that answer.
    static func normalizedAfterUpgradeHandler(_ head: HTTPRequestHead) -> HTTPRequestHead {
        var head = normalized(head)
        if head.headers.contains(name: "Upgrade") { ignoreUpgrade(&head) }
        return head
    }

    /// Drops the `Upgrade` of a request that will not be upgraded, and has the connection closed after its answer:
    /// NIO's decoder parses nothing after a request that asked for an upgrade, so a next request would never be read.
    static func ignoreUpgrade(_ head: inout HTTPRequestHead) {
        head.headers.remove(name: "Upgrade")
        head.headers.replaceOrAdd(name: "Connection", value: "close")
    }

    /// Whether an answer confirms `Connection: keep-alive`: an HTTP/1.0 client that asked for it takes the connection
    /// as closing after the answer unless the answer says so too (an HTTP/1.1 one ignores the header).
    static func confirmsKeepAlive(_ connection: String?) -> Bool {
        guard let connection else { return false }
        return ASCII.contains(connection, caseInsensitive: "keep-alive") && !ASCII.contains(connection, caseInsensitive: "close")
    }
}
