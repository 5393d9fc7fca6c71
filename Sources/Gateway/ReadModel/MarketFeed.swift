import Synchronization

/// What changed in the market since a reader last looked, for the browser's coalesced frames: a change number per
/// symbol's book and SMA, one for the instrument list (last prices) and one for the rankings, and each symbol's
/// newest trades numbered in arrival order.
///
/// The read model notes every change here (a lock and a counter: cheap at any trade rate); each watching WebSocket
/// (`MarketWatch`) asks a few times a second what changed after its `Cursor` and sends one frame per changed panel,
/// so a page redraws at the pace of its connection's pump, not of the trades.
public final class MarketFeed: Sendable {
    /// A trade as the tape shows it.
    public struct TapeTrade: Sendable, Equatable {
        public var number: UInt64
        public var tradeId: String
        public var priceMicros: Int64
        public var quantity: Int64
        public var aggressorSide: String
        public var tradeTime: Int64
    }

    /// Where a reader stood: the change numbers it has seen.
    public struct Cursor: Sendable, Equatable {
        public var book: UInt64 = 0
        public var sma: UInt64 = 0
        public var trade: UInt64 = 0
        public var tickers: UInt64 = 0
        public var ranking: UInt64 = 0
        /// False until the first look: then every panel counts as changed.
        public var started = false
        public init() {}
    }

    /// What changed after a cursor, and the cursor past it.
    public struct Changes: Sendable {
        public var book = false
        public var sma = false
        public var tickers = false
        public var ranking = false
        /// The symbol's trades after the cursor, oldest first (at most `tradesKept`).
        public var trades: [TapeTrade] = []
        public var cursor = Cursor()
    }

    struct SymbolFeed {
        var book: UInt64 = 0
        var sma: UInt64 = 0
        var trades = FIFOQueue<TapeTrade>()
    }

    struct State {
        var counter: UInt64 = 0
        var symbols: [String: SymbolFeed] = [:]
        var tickers: UInt64 = 0
        var ranking: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Trades kept per symbol: what a page that starts watching gets as its tape and the start of its chart, and the
    /// most one `tape` frame carries. A page shows fewer, and a frame stays small (under 16 KiB, one WebSocket frame)
    /// at any trade rate; the trades that fell out between two frames were shown by no panel anyway.
    public let tradesKept: Int

    public init(tradesKept: Int = 100) {
        self.tradesKept = max(1, tradesKept)
    }

    func noteTrade(_ t: TradeEvent) {
        state.withLock { s in
            s.counter += 1
            let trade = TapeTrade(
                number: s.counter, tradeId: t.tradeId, priceMicros: t.priceMicros, quantity: t.quantity,
                aggressorSide: t.aggressorSide, tradeTime: t.tradeTime)
            s.symbols[t.symbol, default: SymbolFeed()].trades.append(trade)
            while (s.symbols[t.symbol]?.trades.count ?? 0) > tradesKept { _ = s.symbols[t.symbol]?.trades.popFirst() }
            // The instrument list shows last prices.
            s.tickers = s.counter
        }
    }

    func noteBook(_ symbol: String) {
        state.withLock { s in
            s.counter += 1
            s.symbols[symbol, default: SymbolFeed()].book = s.counter
        }
    }

    func noteAnalytics(_ kind: AnalyticsEvent.Kind, symbol: String?) {
        state.withLock { s in
            s.counter += 1
            switch kind {
            case .sma: if let symbol { s.symbols[symbol, default: SymbolFeed()].sma = s.counter }
            case .profit, .topProfit: s.ranking = s.counter
            }
        }
    }

    /// What changed after `cursor`, for the market-wide panels and `symbol`'s (none when nil). A cursor that has not
    /// started gets everything there is.
    public func changes(symbol: String?, after cursor: Cursor) -> Changes {
        state.withLock { s in
            let all = !cursor.started
            var changes = Changes()
            changes.tickers = all || s.tickers > cursor.tickers
            changes.ranking = all || s.ranking > cursor.ranking
            var next = cursor
            next.started = true
            next.tickers = s.tickers
            next.ranking = s.ranking
            if let symbol {
                let feed = s.symbols[symbol] ?? SymbolFeed()
                changes.book = all || feed.book > cursor.book
                changes.sma = all || feed.sma > cursor.sma
                changes.trades = feed.trades.elements.filter { $0.number > cursor.trade }
                next.book = feed.book
                next.sma = feed.sma
                next.trade = changes.trades.last?.number ?? cursor.trade
            }
            changes.cursor = next
            return changes
        }
    }
}
