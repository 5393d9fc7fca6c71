import NIOHTTP1

/// What makes a parsed request head one the gateway must refuse, whichever route it names. NIO's decoder lets these
/// through and Hummingbird does not check them.
enum RequestHeadRules {
    /// RFC 9112 §3.2: an HTTP/1.1 request without `Host`, or any request with more than one, gets a 400 (two hosts are
    /// a way to make a proxy and the server disagree on where a request goes).
    static func violation(_ head: HTTPRequestHead) -> APIError? {
        let hosts = head.headers["Host"].count
        if hosts > 1 { return .input("Host", "must appear once") }
        if hosts == 0, head.version.major == 1, head.version.minor >= 1 { return .input("Host", "required in HTTP/1.1") }
        return nil
    }
}
