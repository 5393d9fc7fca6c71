import ExchangeRecords
import MatchingEngine

extension Price {
    /// The price a decimal text such as `160.25` names, read exactly by the records' codec (as the engine's prices
    /// arrive); nil if it is not one. For scripts and fixtures that write prices as text.
    public init?(parsing text: String) {
        guard let value = FixedDecimal(text) else { return nil }
        self.init(micros: value.micros)
    }
}
