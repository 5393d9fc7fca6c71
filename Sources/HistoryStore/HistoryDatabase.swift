import ExchangeRecords
import History

/// A store of the history: trades, their 1-minute candles, the final analytics windows and the input positions they
/// were read up to.
///
/// `append` is the exactly-once step: the new trades, their candles and the positions commit in one transaction, so
/// after a crash at any point the database holds the rows of exactly the records before its positions, and the stage
/// resumes there. A trade already stored (a duplicate the matcher wrote after a crash, same identity) is skipped and
/// does not count twice in a candle.
public protocol HistoryDatabase: HistoryReader {
    /// The next offset to read of every input partition read so far.
    func positions() async throws -> [InputPosition]

    /// Stores the trades not stored yet, adds them to their candles, stores the analytics windows (a later value of
    /// a window replacing the stored one) and sets `positions`, in one transaction. Returns how many trades were new.
    @discardableResult
    func append(_ trades: [HistoryTrade], analytics: AnalyticsBatch, positions: [InputPosition]) async throws -> Int

    /// Recomputes every candle from the stored trades (`exchange history --rebuild`).
    func rebuildCandles() async throws

    /// How many trades are stored.
    func tradeCount() async throws -> Int

    /// The symbols with stored candles, in order.
    func symbols() async throws -> [String]

    func close() async
}

extension HistoryDatabase {
    /// `append` with trades only.
    @discardableResult
    public func append(_ trades: [HistoryTrade], positions: [InputPosition]) async throws -> Int {
        try await append(trades, analytics: AnalyticsBatch(), positions: positions)
    }
}

/// Stores: the SQLite file by default, PostgreSQL for a `postgres://` URL.
public enum HistoryDatabases {
    /// Where `exchange history` keeps its SQLite file when `--history-db` is not given.
    public static let defaultPath = "exchange-history.sqlite"

    /// Opens (and migrates) the store `location` names: a `postgres://` or `postgresql://` URL, or a SQLite file path.
    public static func open(_ location: String) async throws -> any HistoryDatabase {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return try await PostgresHistoryDatabase(url: location)
        }
        return try SQLiteHistoryDatabase(path: location)
    }
}

/// A store that cannot be opened or used, with what to do about it.
public struct HistoryDatabaseError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
