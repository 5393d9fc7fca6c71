import NIOHTTP1

/// What makes a parsed request head one the gateway must refuse, whichever route it names. NIO's decoder lets these
/// through and Hummingbird does not check them.
enum RequestHeadRules {
    /// RFC 9112 §3.2: a request with more than one `Host` gets a 400 (two hosts are a way to make a proxy and the
    /// server disagree on where a request goes). An HTTP/1.1 request with none, which the RFC also refuses, is
    /// served, as Hummingbird served it: the gateway has one host, and clients that leave it out exist (a wrk script
    /// that formats its requests while loading, as this project's benchmark did, sends none).
    static func violation(_ head: HTTPRequestHead) -> APIError? {
        head.headers["Host"].count > 1 ? .input("Host", "must appear once") : nil
    }
}
