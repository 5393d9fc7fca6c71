/// An origin-form request target (`/path?query`) split as Hummingbird's `Request.uri` splits it, on the UTF-8 bytes:
/// for the handlers in front of the router, which read the target before any URI is parsed.
enum RequestTarget {
    /// The target without its query. (Substring == String compares the bytes at once.)
    static func route(_ target: String) -> Substring {
        target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...]
    }

    /// The query, as `Request.uri.query` gives it to the router.
    static func query(_ target: String) -> String? {
        target.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(target[target.utf8.index(after: $0)...]) }
    }
}
