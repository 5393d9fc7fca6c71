/// The methods each path of the API serves, matched on the request path, so a method a known path does not serve
/// gets 405 with `Allow` (RFC 9110 §15.5.6) where Hummingbird's router answers 404 alike for it and an unknown path.
struct AllowedMethods: Sendable {
    /// A path template's segments: a literal, or nil for a `{parameter}` that matches any one segment.
    let templates: [(segments: [String?], allow: String)]

    init(_ paths: [(path: String, methods: [String])]) {
        templates = paths.map { path, methods in
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : String($0) }
            return (segments, methods.sorted().joined(separator: ", "))
        }
    }

    /// The `Allow` value for a path the API has, nil for an unknown path.
    func allow(path: String) -> String? {
        let segments = path.split(separator: "/")
        return templates.first { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { literal, segment in literal.map { $0 == segment } ?? true }
        }?.allow
    }
}
