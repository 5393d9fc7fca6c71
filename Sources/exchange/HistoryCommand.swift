import ArgumentParser
import ExchangeRecords
import ExchangeStreams
import Foundation
import HistoryStore

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Stores matched_trades, their candles and the final analytics windows in a database (SQLite file or PostgreSQL), exactly once.",
        discussion: """
            Resumes from the input positions stored in the database with the rows, not from Kafka commits. \
            --rebuild recomputes every candle from the stored trades and exits.
            """)

    @OptionGroup var stream: StreamOptions
    @OptionGroup var history: HistoryOptions

    @Flag(help: "Recompute the candles from the stored trades, then exit (no Kafka needed).")
    var rebuild = false

    func run() async throws {
        let database = try await history.open()
        if rebuild {
            try await database.rebuildCandles()
            print("history: rebuilt the candles of \(try await database.tradeCount()) trades in \(history.location)")
            await database.close()
            return
        }
        let settings = try stream.stageSettings()
        try stream.startMetrics()
        let partitions = try await Topology.create(HistoryStage.topics, partitions: settings.partitions, kafka: settings.kafka)
        print("history: storing \(HistoryStage.topics.map(\.name).joined(separator: ", ")) in \(history.location)")
        let stage = HistoryStage(
            settings: settings, database: database, partitions: partitions[Topology.matchedTrades.name] ?? settings.partitions)
        do {
            try await runServices([stage], label: "exchange.history")
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}

/// Where the history is kept.
struct HistoryOptions: ParsableArguments {
    @Option(
        name: .customLong("history-db"),
        help: "The history database: a SQLite file path, or postgres://user[:password]@host[:port]/database. Default: $EXCHANGE_HISTORY_DB, else \(HistoryDatabases.defaultPath) in the working directory.")
    var historyDatabase: String?

    var location: String { Self.location(historyDatabase) }

    /// `--history-db` if given, else $EXCHANGE_HISTORY_DB, else the default file.
    static func location(_ option: String?) -> String {
        option ?? ProcessInfo.processInfo.environment["EXCHANGE_HISTORY_DB"].flatMap { $0.isEmpty ? nil : $0 }
            ?? HistoryDatabases.defaultPath
    }

    func open() async throws -> any HistoryDatabase {
        do {
            return try await HistoryDatabases.open(location)
        } catch let error as HistoryDatabaseError {
            throw ValidationError(error.description)
        }
    }
}
