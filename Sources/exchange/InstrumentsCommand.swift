import ArgumentParser
import ExchangeRecords
import ExchangeStreams
import Foundation
import Gateway
import Kafka
import Logging
import MatchingEngine

extension FixedDecimal: ExpressibleByArgument {}

/// `exchange instruments`: reference data and market control at run time. Every change is written as an
/// `INSTRUMENT` record to the symbol's partition of `incoming_orders` (the matcher applies it there, in sequence with
/// the orders) and as the symbol's new value to the compacted `instruments` topic (the gateway follows it).
struct InstrumentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instruments",
        abstract: "Lists, publishes, changes, halts, resumes and delists instruments at run time.",
        discussion: """
            Changes are checked against the instruments topic first; a change that cannot apply (an unknown symbol, a \
            negative tick, a band whose low is above its high …) is refused with an error and nothing is written.
            """,
        subcommands: [List.self, Publish.self, Set.self, ListNew.self, Halt.self, Resume.self, Delist.self])

    /// Where Kafka is and how many partitions `incoming_orders` has (read from the cluster).
    struct Connection: ParsableArguments {
        @OptionGroup var stream: StreamOptions

        func open() async throws -> (settings: StreamsSettings, partitions: Int, desk: InstrumentDesk) {
            let settings = try stream.stageSettings()
            let partitions = try await Topology.create(partitions: settings.partitions, kafka: settings.kafka)
            let (table, undecodable) = try await InstrumentsTopic.read(configuration: settings.consumerConfiguration)
            if undecodable > 0 { printError("exchange instruments: \(undecodable) record(s) of the instruments topic do not decode; skipped") }
            return (settings, partitions[Topology.incomingOrders.name] ?? settings.partitions, InstrumentDesk(table: table))
        }

        /// Reads the topic, decides the changes (a refusal is an error and writes nothing), writes them.
        func change(_ decide: (InstrumentDesk) throws(InstrumentDesk.Refusal) -> [InstrumentDesk.Change]) async throws {
            let (settings, partitions, desk) = try await open()
            let changes: [InstrumentDesk.Change]
            do { changes = try decide(desk) } catch { throw ValidationError(error.description) }
            try await write(changes, settings: settings, partitions: partitions)
        }

        /// Writes the changes and prints one line per change.
        func write(_ changes: [InstrumentDesk.Change], settings: StreamsSettings, partitions: Int) async throws {
            guard !changes.isEmpty else { return print("nothing to change") }
            let producer = try await KafkaProducer(configuration: settings.producerConfiguration, logger: Logger(label: "exchange.instruments"))
            try await InstrumentsTopic.publish(changes, producer: producer, partitions: partitions)
            await producer.close()
            for change in changes {
                print("\(change.control.action.rawValue) \(change.control.stockSymbol): \(String(decoding: change.value.encoded(), as: UTF8.self))")
            }
        }
    }

    static var now: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Prints the instruments topic's table, one JSON value a line, by symbol.")
        @OptionGroup var connection: Connection

        func run() async throws {
            let (_, _, desk) = try await connection.open()
            for symbol in desk.table.keys.sorted() {
                if let value = desk.table[symbol] { print(String(decoding: value.encoded(), as: UTF8.self)) }
            }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publishes an instruments file (as config/instruments.json): new symbols are listed, changed ones set.")
        @OptionGroup var connection: Connection
        @Option(help: "The instruments file.")
        var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read instruments file \(file)") }
            let catalogue: [MatchingEngine.Instrument]
            do { catalogue = try InstrumentFile.decode(Array(data)) } catch { throw ValidationError("\(file): \(error.description)") }
            try await connection.change { desk throws(InstrumentDesk.Refusal) in
                try desk.publish(catalogue.map { EngineRecordMapping.instrumentRecord($0) }, timestamp: InstrumentsCommand.now)
            }
        }
    }

    /// The fields of a definition, for `set` and `list-new`.
    struct Definition: ParsableArguments {
        @Option(help: "Name of the company or instrument.")
        var name: String?
        @Option(help: "Price grid step, e.g. 0.01.")
        var tickSize: FixedDecimal?
        @Option(help: "Quantity grid step in shares.")
        var lotSize: Int64?
        @Option(help: "Reference (last) price.")
        var lastPrice: FixedDecimal?
        @Option(help: "Lowest limit price accepted (inclusive).")
        var bandLow: FixedDecimal?
        @Option(help: "Highest limit price accepted (inclusive).")
        var bandHigh: FixedDecimal?
        @Option(help: "Largest quantity of one order.")
        var maxOrderQuantity: Int64?

        var amendment: InstrumentDesk.Amendment {
            InstrumentDesk.Amendment(
                name: name, tickSize: tickSize, lotSize: lotSize, lastPrice: lastPrice, priceBandLow: bandLow, priceBandHigh: bandHigh,
                maxOrderQuantity: maxOrderQuantity)
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Changes a listed instrument's definition; resting orders stay, new orders are checked against the new values.")
        @OptionGroup var connection: Connection
        @Argument(help: "The symbol.")
        var symbol: String
        @OptionGroup var definition: Definition

        func run() async throws {
            try await connection.change { desk throws(InstrumentDesk.Refusal) in [try desk.set(symbol, definition.amendment, timestamp: InstrumentsCommand.now)] }
        }
    }

    struct ListNew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list-new",
            abstract: "Lists new symbols (or relists delisted ones) with one definition; they trade at once, no restart.")
        @OptionGroup var connection: Connection
        @Argument(help: "The symbols.")
        var symbols: [String]
        @OptionGroup var definition: Definition
        @Option(help: "Exchange (venue) name.")
        var exchange = "XKFK"
        @Option(help: "Without --band-low/--band-high: a band of this many percent around --last-price, on the tick grid.")
        var bandPercent: Int64 = 20

        func run() async throws {
            guard !symbols.isEmpty else { throw ValidationError("give at least one symbol") }
            guard let last = definition.lastPrice else { throw ValidationError("--last-price is required for a new listing") }
            let tick = definition.tickSize ?? FixedDecimal(micros: 10_000)
            guard tick.micros > 0, last.micros > 0 else { throw ValidationError("--tick-size and --last-price must be positive") }
            guard (1...99).contains(bandPercent) else { throw ValidationError("--band-percent must be 1...99") }
            let definitions = symbols.map { symbol in
                let banded = MatchingEngine.Instrument.banded(
                    symbol: symbol, name: definition.name ?? symbol, exchange: exchange, tickSize: Price(micros: tick.micros),
                    lotSize: definition.lotSize ?? 1, referencePrice: Price(micros: last.micros), bandPercent: bandPercent)
                var record = EngineRecordMapping.instrumentRecord(banded)
                record.priceBandLow = definition.bandLow ?? record.priceBandLow
                record.priceBandHigh = definition.bandHigh ?? record.priceBandHigh
                record.maxOrderQuantity = definition.maxOrderQuantity
                return record
            }
            try await connection.change { desk throws(InstrumentDesk.Refusal) in try desk.listNew(definitions, timestamp: InstrumentsCommand.now) }
        }
    }

    struct Halt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Halts trading: new orders and modifies are rejected (HALTED), cancels work, resting orders stay.")
        @OptionGroup var connection: Connection
        @Argument(help: "The symbol.")
        var symbol: String
        @Option(help: "Why (shown with the status).")
        var reason: String?

        func run() async throws {
            try await connection.change { desk throws(InstrumentDesk.Refusal) in [try desk.halt(symbol, reason: reason, timestamp: InstrumentsCommand.now)] }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resumes continuous trading after a halt (no opening auction).")
        @OptionGroup var connection: Connection
        @Argument(help: "The symbol.")
        var symbol: String

        func run() async throws {
            try await connection.change { desk throws(InstrumentDesk.Refusal) in [try desk.resume(symbol, timestamp: InstrumentsCommand.now)] }
        }
    }

    struct Delist: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delists: resting orders are cancelled (DELISTED), new orders rejected as UNKNOWN_SYMBOL.")
        @OptionGroup var connection: Connection
        @Argument(help: "The symbol.")
        var symbol: String

        func run() async throws {
            try await connection.change { desk throws(InstrumentDesk.Refusal) in [try desk.delist(symbol, timestamp: InstrumentsCommand.now)] }
        }
    }
}

private func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
