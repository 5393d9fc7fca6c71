import ExchangeRecords
import MatchingEngine

/// What `exchange instruments` decides before it writes anything: from the table the `instruments` topic holds now
/// and a request, the changes to make — each an `INSTRUMENT` record for the order input and the symbol's new value for
/// the topic — or an error naming what is wrong, in which case nothing is written. Pure, so it is tested without Kafka.
public struct InstrumentDesk: Sendable {
    /// One change: the control record the matcher applies in sequence, and the topic's new value for the symbol.
    public struct Change: Sendable, Hashable {
        public var control: InstrumentChange
        public var value: ExchangeRecords.Instrument
    }

    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// New values for some fields of a definition (`set`); nil keeps the current one.
    public struct Amendment: Sendable, Hashable {
        public var name: String?
        public var tickSize: FixedDecimal?
        public var lotSize: Int64?
        public var lastPrice: FixedDecimal?
        public var priceBandLow: FixedDecimal?
        public var priceBandHigh: FixedDecimal?
        public var maxOrderQuantity: Int64?

        public init(
            name: String? = nil, tickSize: FixedDecimal? = nil, lotSize: Int64? = nil, lastPrice: FixedDecimal? = nil,
            priceBandLow: FixedDecimal? = nil, priceBandHigh: FixedDecimal? = nil, maxOrderQuantity: Int64? = nil
        ) {
            (self.name, self.tickSize, self.lotSize, self.lastPrice) = (name, tickSize, lotSize, lastPrice)
            (self.priceBandLow, self.priceBandHigh, self.maxOrderQuantity) = (priceBandLow, priceBandHigh, maxOrderQuantity)
        }

        public var isEmpty: Bool { self == Amendment() }
    }

    /// The topic's table: the latest value per symbol.
    public var table: [String: ExchangeRecords.Instrument]

    public init(table: [String: ExchangeRecords.Instrument]) {
        self.table = table
    }

    /// Lists new symbols (or relists delisted ones).
    public func listNew(_ definitions: [ExchangeRecords.Instrument], timestamp: Int64) throws(Refusal) -> [Change] {
        var seen = Set<String>()
        var changes: [Change] = []
        for definition in definitions {
            guard seen.insert(definition.symbol).inserted else { throw Refusal("\(definition.symbol) is given twice") }
            if let current = table[definition.symbol], current.status != .delisted {
                throw Refusal("\(definition.symbol) is already listed (\(current.status.rawValue)); change it with `exchange instruments set`")
            }
            changes.append(try change(.list, definition, timestamp: timestamp))
        }
        return changes
    }

    /// The whole list of a file: unknown or delisted symbols are listed, changed definitions set, equal ones left alone.
    public func publish(_ definitions: [ExchangeRecords.Instrument], timestamp: Int64) throws(Refusal) -> [Change] {
        var seen = Set<String>()
        var changes: [Change] = []
        for definition in definitions {
            guard seen.insert(definition.symbol).inserted else { throw Refusal("\(definition.symbol) is given twice") }
            guard let current = table[definition.symbol], current.status != .delisted else {
                changes.append(try change(.list, definition, timestamp: timestamp))
                continue
            }
            var same = definition
            same.status = current.status
            same.haltReason = current.haltReason
            if same == current { continue }
            changes.append(try change(.set, same, timestamp: timestamp))
        }
        return changes
    }

    /// A new definition for a listed symbol from the fields given.
    public func set(_ symbol: String, _ amendment: Amendment, timestamp: Int64) throws(Refusal) -> Change {
        guard amendment.isEmpty == false else { throw Refusal("nothing to set: give at least one of the definition's fields") }
        var value = try listed(symbol)
        value.name = amendment.name ?? value.name
        value.tickSize = amendment.tickSize ?? value.tickSize
        value.lotSize = amendment.lotSize ?? value.lotSize
        value.lastPrice = amendment.lastPrice ?? value.lastPrice
        value.priceBandLow = amendment.priceBandLow ?? value.priceBandLow
        value.priceBandHigh = amendment.priceBandHigh ?? value.priceBandHigh
        value.maxOrderQuantity = amendment.maxOrderQuantity ?? value.maxOrderQuantity
        return try change(.set, value, timestamp: timestamp)
    }

    public func halt(_ symbol: String, reason: String?, timestamp: Int64) throws(Refusal) -> Change {
        var value = try listed(symbol)
        if let reason, reason.utf8.count > 256 { throw Refusal("--reason is longer than 256 bytes") }
        value.status = .halted
        value.haltReason = reason
        return Change(control: InstrumentChange(action: .halt, stockSymbol: symbol, reason: reason, timestamp: timestamp), value: value)
    }

    public func resume(_ symbol: String, timestamp: Int64) throws(Refusal) -> Change {
        var value = try listed(symbol)
        value.status = .trading
        value.haltReason = nil
        return Change(control: InstrumentChange(action: .resume, stockSymbol: symbol, timestamp: timestamp), value: value)
    }

    public func delist(_ symbol: String, timestamp: Int64) throws(Refusal) -> Change {
        var value = try listed(symbol)
        value.status = .delisted
        value.haltReason = nil
        return Change(control: InstrumentChange(action: .delist, stockSymbol: symbol, timestamp: timestamp), value: value)
    }

    private func listed(_ symbol: String) throws(Refusal) -> ExchangeRecords.Instrument {
        guard let value = table[symbol], value.status != .delisted else {
            throw Refusal("unknown symbol \(symbol): it is not listed (list it with `exchange instruments list-new`)")
        }
        return value
    }

    /// A LIST or SET change after the checks the matcher makes, so the CLI refuses what the matcher would.
    private func change(_ action: InstrumentAction, _ definition: ExchangeRecords.Instrument, timestamp: Int64) throws(Refusal) -> Change {
        var control = definition
        control.status = .trading
        control.haltReason = nil
        // The record's own reading rules (positive tick, band low <= high …), then what the engine needs.
        var bytes: [UInt8] = []
        control.encode(into: &bytes)
        let decoded: ExchangeRecords.Instrument
        do { decoded = try ExchangeRecords.Instrument.decode(json: bytes) } catch { throw Refusal("\(definition.symbol): \(error)") }
        if let problem = decoded.definitionProblem { throw Refusal("\(definition.symbol): \(problem)") }
        if let problem = EngineRecordMapping.engineInstrument(decoded).definitionProblem { throw Refusal(problem) }
        var value = definition
        if action == .list {
            value.status = .trading
            value.haltReason = nil
        }
        return Change(control: InstrumentChange(action: action, stockSymbol: definition.symbol, instrument: control, timestamp: timestamp), value: value)
    }
}
