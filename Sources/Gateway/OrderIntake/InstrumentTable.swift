@_exported import struct ExchangeVocabulary.InstrumentRules
@_exported import enum ExchangeVocabulary.InstrumentStatus
import ExchangeRecords
import Synchronization

// Gateway callers build the table from the vocabulary's instrument without importing it.
/// The instruments the gateway accepts orders for, by symbol, with their trading status. One table is shared by the
/// request handlers and `InstrumentFollower`, which applies the `instruments` topic to it as it changes (a listing,
/// a new definition, a halt, a resume, a delisting), so every request sees the latest value.
public final class InstrumentTable: Sendable {
    public struct Entry: Sendable, Hashable {
        public var rules: InstrumentRules
        public var status: InstrumentStatus
        public var haltReason: String?
    }

    private let entries: Mutex<[String: Entry]>
    /// The largest order of an instrument whose record names none (`gateway --max-order-quantity`).
    public let defaultMaxOrderQuantity: Int64

    public init(_ instruments: [InstrumentRules], defaultMaxOrderQuantity: Int64 = InstrumentRules.defaultMaxOrderQuantity) {
        self.defaultMaxOrderQuantity = defaultMaxOrderQuantity
        entries = Mutex(Dictionary(instruments.map { ($0.symbol, Entry(rules: $0, status: .trading)) }, uniquingKeysWith: { _, last in last }))
    }

    /// The listed (trading or halted) instruments, by symbol.
    public var all: [InstrumentRules] { listed.map(\.rules) }

    /// The listed entries with their status, by symbol.
    public var listed: [Entry] {
        entries.withLock { $0.values.filter { $0.status.isListed } }.sorted { $0.rules.symbol < $1.rules.symbol }
    }

    /// A listed (trading or halted) instrument.
    public subscript(symbol: String) -> InstrumentRules? {
        entries.withLock { table in table[symbol].flatMap { $0.status.isListed ? $0.rules : nil } }
    }

    public func status(_ symbol: String) -> InstrumentStatus? {
        entries.withLock { $0[symbol]?.status }
    }

    /// The rules of an instrument that takes new orders, or why it does not: a 400 naming `symbol`, with the reason
    /// code the matcher would give (`UNKNOWN_SYMBOL` also for a delisted one, `HALTED`).
    public func tradable(_ symbol: String) throws(APIError) -> InstrumentRules {
        let entry = entries.withLock { $0[symbol] }
        guard let entry else { throw APIError.input("symbol", "unknown instrument '\(symbol)'") }
        switch entry.status {
        case .trading: return entry.rules
        case .halted:
            throw APIError.input("symbol", "\(Reason.halted.code): trading in \(symbol) is halted" + (entry.haltReason.map { " (\($0))" } ?? ""))
        case .delisted: throw APIError.input("symbol", "\(Reason.delisted.code): \(symbol) was delisted")
        }
    }

    /// Takes a value of the `instruments` topic. Returns the entry when the symbol's status or definition changed.
    @discardableResult
    public func apply(_ record: ExchangeRecords.Instrument) -> Entry? {
        let entry = Entry(
            rules: InstrumentRules(
                symbol: record.symbol, name: record.name, exchange: record.exchange, tickSizeMicros: record.tickSize.micros,
                lotSize: record.lotSize, referencePriceMicros: record.lastPrice.micros, lowerBandMicros: record.priceBandLow.micros,
                upperBandMicros: record.priceBandHigh.micros, maxOrderQuantity: record.maxOrderQuantity ?? defaultMaxOrderQuantity),
            status: record.status, haltReason: record.haltReason)
        return entries.withLock { table in
            guard table[record.symbol] != entry else { return nil }
            table[record.symbol] = entry
            return entry
        }
    }
}
