/// A series' labels, in the order given. Up to three are kept inline, so counting with labels built from existing
/// strings and integers allocates nothing (the gateway counts every request by method, route and status).
public struct Labels: Hashable, Sendable {
    public enum Value: Hashable, Sendable {
        case text(String)
        case number(Int)

        var rendered: String {
            switch self {
            case .text(let text): text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
            case .number(let number): String(number)
            }
        }
    }

    public struct Label: Hashable, Sendable {
        public var name: String
        public var value: Value

        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }
    }

    private var first: Label?
    private var second: Label?
    private var third: Label?
    /// Labels beyond three (rare: swift-metrics dimensions).
    private var rest: [Label] = []

    public init() {}

    public init(_ labels: Label...) { self.init(labels) }

    public init(_ labels: [Label]) {
        for label in labels { append(label) }
    }

    init(_ dimensions: [(String, String)]) {
        self.init(dimensions.map { Label($0.0, .text($0.1)) })
    }

    private mutating func append(_ label: Label) {
        if first == nil { first = label } else if second == nil { second = label } else if third == nil { third = label } else { rest.append(label) }
    }

    var all: [Label] { [first, second, third].compactMap { $0 } + rest }

    var isEmpty: Bool { first == nil }

    /// `name="value",...`, escaped as the text format asks.
    func text(extra: Label? = nil) -> String {
        (all + [extra].compactMap { $0 }).map { "\($0.name)=\"\($0.value.rendered)\"" }.joined(separator: ",")
    }
}

/// One series: a family name and its labels. A name may carry its labels itself (`name{a="b"}`), as a few rare
/// gateway counters are written.
struct Series: Hashable, Sendable {
    var name: String
    var labels: Labels

    var family: String { String(name.prefix { $0 != "{" }) }

    var text: String { text(suffix: "") }

    func text(suffix: String, le: String? = nil) -> String {
        let extra = le.map { Labels.Label("le", .text($0)) }
        let own = labels.text(extra: extra)
        if name.contains("{") {
            // Labels written into the name: `le` and the suffix go inside and before them.
            let family = self.family
            let inner = name.dropFirst(family.count + 1).dropLast()
            let joined = [String(inner), own].filter { !$0.isEmpty }.joined(separator: ",")
            return "\(family)\(suffix){\(joined)}"
        }
        return own.isEmpty ? name + suffix : "\(name)\(suffix){\(own)}"
    }
}
