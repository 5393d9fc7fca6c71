/// Whether an instrument trades: the status half of an `instruments` record and of the engine's book.
public enum InstrumentStatus: String, Sendable, Hashable, CaseIterable {
    /// Continuous trading.
    case trading = "TRADING"
    /// New orders and modifies are rejected (`HALTED`); cancels work and resting orders stay.
    case halted = "HALTED"
    /// Resting orders were cancelled (`DELISTED`); new orders are rejected as `UNKNOWN_SYMBOL`.
    case delisted = "DELISTED"
}

extension InstrumentStatus {
    /// Trading or halted: the symbol is known and its resting orders stand.
    public var isListed: Bool { self != .delisted }
}
