/// What an instrument control record in the order input asks the matcher to do, at its exact place in the sequence.
public enum InstrumentAction: String, Sendable, Hashable, CaseIterable {
    /// A new listing (or a relisting of a delisted symbol), trading at once.
    case list = "LIST"
    /// A new definition (name, tick, lot, band, maximum quantity) for a listed symbol; resting orders stay as they are.
    case set = "SET"
    case halt = "HALT"
    /// Continuous trading again, without an opening auction.
    case resume = "RESUME"
    case delist = "DELIST"
}
