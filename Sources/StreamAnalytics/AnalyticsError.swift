/// Why the analytics refused an input or a configuration. Each case names the field and the problem.
public enum AnalyticsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The window, grace or emit configuration cannot be used.
    case invalidConfiguration(String)
    /// A trade or tick field holds a value the analytics cannot use; `field` is its name.
    case invalidField(field: String, problem: String)
    /// The symbol id was not produced by this aggregator's `intern(_:)`.
    case unknownSymbolId(Int)
    /// A snapshot could not be decoded.
    case corruptSnapshot(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): "invalid analytics configuration: \(message)"
        case .invalidField(let field, let problem): "invalid \(field): \(problem)"
        case .unknownSymbolId(let id): "unknown symbol id \(id)"
        case .corruptSnapshot(let message): "corrupt analytics snapshot: \(message)"
        }
    }
}
