import ExchangeRecords
import History
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One WebSocket's coalesced market-data panels, for the browser: after `{"a":"watch","v":"AAPL"}` (or `"v":null`
/// for the market-wide panels alone) the connection gets, at most once per `interval` each and only when something
/// changed, `tickers` (the instrument list), `ranking` (the open window's running profit ranking and the last closed
/// window's `top_profit`), and for the watched symbol `book` (10 levels a side), `tape` (the trades since the last
/// frame, at most the newest `MarketFeed.tradesKept`), `sma` (its `SMA_HOPPING_TABLE` windows). Watching a symbol first sends `candles` (1-minute, from the
/// history, when the gateway has one) and every panel in full.
///
/// Pull, not push: the pump asks the read model's `MarketFeed` what changed after its cursor, so a trade rate of
/// thousands a second still makes a few frames a second, and nothing accumulates for a slow client.
final class MarketWatch: Sendable {
    struct State {
        var watching = false
        var symbol: String?
        var cursor = MarketFeed.Cursor()
        var candlesDue = false
    }

    let gateway: Gateway
    let connection: UInt64
    let interval: Duration
    private let state = Mutex(State())
    /// Yields at each `watch`: the pump starts at the first (a connection that never watches costs no wake-ups).
    private let watches: AsyncStream<Void>
    private let watched: AsyncStream<Void>.Continuation
    /// How far back the first `candles` frame reaches.
    static let candleSpan: Int64 = 2 * 3_600_000

    init(gateway: Gateway, connection: UInt64, interval: Duration) {
        self.gateway = gateway
        self.connection = connection
        self.interval = interval
        (watches, watched) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Starts (or moves) the watch; the next pump sends every panel in full.
    func watch(_ symbol: String?) {
        state.withLock { s in
            s = State(watching: true, symbol: symbol, cursor: MarketFeed.Cursor(), candlesDue: symbol != nil)
        }
        watched.yield()
    }

    /// From the first `watch` on, sends the changed panels every `interval` until the task is cancelled.
    func run() async {
        var first = watches.makeAsyncIterator()
        guard await first.next() != nil else { return }
        while !Task.isCancelled {
            await pump()
            try? await Task.sleep(for: interval)
        }
    }

    /// One round: the frames of what changed since the last.
    func pump() async {
        let step: (symbol: String?, changes: MarketFeed.Changes, candles: Bool)? = state.withLock { s in
            guard s.watching else { return nil }
            let changes = gateway.readModel.feed.changes(symbol: s.symbol, after: s.cursor)
            s.cursor = changes.cursor
            defer { s.candlesDue = false }
            return (s.symbol, changes, s.candlesDue)
        }
        guard let (symbol, changes, candlesDue) = step else { return }
        let readModel = gateway.readModel
        let hub = readModel.hub
        if changes.tickers { hub.send(connection, MarketDataHub.frame("tickers", gateway.instrumentsView())) }
        if changes.ranking {
            let closed = readModel.topProfit()["latest"] ?? .null
            hub.send(connection, MarketDataHub.frame("ranking", .object([("open", readModel.profit()), ("closed", closed)])))
        }
        guard let symbol else { return }
        if candlesDue, let candles = await candles(symbol) {
            hub.send(connection, MarketDataHub.frame("candles", .object([
                ("symbol", .string(symbol)), ("interval", .string(CandleInterval.minute.rawValue)), ("candles", candles),
            ])))
        }
        if changes.book {
            let book = readModel.quote(symbol, depth: MarketWatch.bookLevels)
                ?? ReadModel.quoteView(symbol, ReadModel.SymbolState(), depth: MarketWatch.bookLevels)
            hub.send(connection, MarketDataHub.frame("book", book))
        }
        if !changes.trades.isEmpty || candlesDue {
            hub.send(connection, MarketDataHub.frame("tape", .object([
                ("symbol", .string(symbol)), ("reset", .bool(candlesDue)),
                ("trades", .array(changes.trades.map { t in
                    .object([
                        ("trade_id", .string(t.tradeId)), ("price", .micros(t.priceMicros)), ("quantity", .int(t.quantity)),
                        ("aggressor_side", .string(t.aggressorSide)), ("trade_time", .int(t.tradeTime)),
                    ])
                })),
            ])))
        }
        if changes.sma { hub.send(connection, MarketDataHub.frame("sma", readModel.sma(symbol))) }
    }

    static let bookLevels = 10

    /// The symbol's 1-minute candles of the last `candleSpan`, nil without a history (or when it fails: the chart
    /// then draws candles from the tape alone).
    func candles(_ symbol: String) async -> JSONValue? {
        guard let history = gateway.history else { return nil }
        let now = Gateway.nowMillis()
        guard let candles = try? await history.candles(symbol: symbol, interval: .minute, from: now - MarketWatch.candleSpan, to: now + 60_000)
        else { return nil }
        return Gateway.candleRows(candles)
    }
}
