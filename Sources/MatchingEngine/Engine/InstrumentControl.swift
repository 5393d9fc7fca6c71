import ExchangeVocabulary

/// A change of one instrument's definition or trading status, applied at its exact place in the command sequence
/// (so a replay of the same commands applies it at the same point).
public struct InstrumentControl: Hashable, Sendable {
    public var action: InstrumentAction
    public var symbol: String
    /// The definition, required for `.list` and `.set` (its symbol must be `symbol`); ignored otherwise.
    public var instrument: Instrument?
    /// Event time, epoch ms.
    public var timestamp: Int64

    public init(action: InstrumentAction, symbol: String, instrument: Instrument? = nil, timestamp: Int64) {
        self.action = action
        self.symbol = symbol
        self.instrument = instrument
        self.timestamp = timestamp
    }
}
