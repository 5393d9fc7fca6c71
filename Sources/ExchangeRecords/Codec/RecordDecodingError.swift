/// Why a record could not be decoded: the field at fault (when there is one) and a reason a person can act on.
///
/// The gateway turns these into HTTP 400 bodies naming the field; stages put `description` into dead letters.
public struct RecordDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The JSON field at fault, e.g. `price` or `RANKING[2].PROFIT`; `nil` for structural problems (not JSON,
    /// trailing data, too large).
    public var field: String?
    /// What is wrong, in words, e.g. `expected an integer, found a string`.
    public var reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String {
        if let field { return "field '\(field)': \(reason)" }
        return reason
    }
}
