import ExchangeRecords
import Synchronization

/// The query side (CQRS): in-memory views built from `execution_reports`, `matched_trades` and
/// the analytics topics, rebuilt from the beginning of the log on start. Serves the GET routes
/// and feeds the WebSocket hub.
///
/// Stages may deliver a record twice after a restart (byte-identical, same partition and seq),
/// so reports and trades are applied only when their seq is above the partition's last one.
///
/// Memory is bounded per trader: open orders are always kept (the engine still has them), but only the newest
/// `terminalOrdersPerTrader` finished orders (FILLED, CANCELED, EXPIRED, REJECTED; oldest finished evicted first)
/// and the newest `tradesPerTrader` fills. An evicted order answers 404 like an unknown one.
public final class ReadModel: Sendable {
    static let openStatuses: Set<String> = ["PENDING", "NEW", "PARTIALLY_FILLED", "REPLACED"]
    /// The owner of orders placed without a trader (by producers other than the gateway): no authenticated trader
    /// has an empty id, so none sees, cancels or modifies them; they still show in the book and the tape.
    static let unattributed = ""
    static let maxHistory = 64

    struct Fill {
        var tradeId: String
        var priceMicros: Int64
        var quantity: Int64
        var timestamp: Int64
    }

    struct HistoryEntry {
        var status: String
        var reason: String?
        var priceMicros: Int64?
        var quantity: Int64
        var filled: Int64
        var leaves: Int64
        var timestamp: Int64
    }

    struct OrderState {
        var orderId: String
        var traderId: String
        var symbol: String
        var side: String
        var orderType: String?
        var timeInForce: String?
        var validityTTL: Int64?
        var expireAt: Int64?
        var clientOrderId: String?
        var priceMicros: Int64?
        var quantity: Int64
        var filled: Int64 = 0
        var leaves: Int64
        var status: String
        var reason: String?
        var createdAt: Int64
        var updatedAt: Int64
        var notional: Int64 = 0
        var fills: [Fill] = []
        var history: [HistoryEntry] = []

        /// An order this gateway accepted and no report has mentioned yet.
        static func accepted(_ order: NewOrder) -> OrderState {
            var o = OrderState(
                orderId: order.orderId, traderId: order.traderId ?? ReadModel.unattributed, symbol: order.stockSymbol,
                side: order.side.rawValue, orderType: order.orderType.rawValue, timeInForce: order.timeInForce.rawValue,
                validityTTL: order.validityTTL, expireAt: order.expireAt, clientOrderId: order.clientOrderId,
                priceMicros: order.price?.micros, quantity: order.quantity, leaves: order.quantity, status: "PENDING",
                createdAt: order.timestamp, updatedAt: order.timestamp)
            o.history.append(HistoryEntry(
                status: "PENDING", priceMicros: order.price?.micros, quantity: order.quantity, filled: 0,
                leaves: order.quantity, timestamp: order.timestamp))
            return o
        }
    }

    struct Level {
        var quantity: Int64 = 0
        var orders: Int = 0
    }

    struct SymbolState {
        var lastPrice: Int64?
        var lastQuantity: Int64?
        var lastTradeTime: Int64?
        var sessionDay: Int64?
        var open: Int64?
        var high: Int64?
        var low: Int64?
        var previousClose: Int64?
        var volume: Int64 = 0
        var turnover: Int64 = 0
        var trades: Int64 = 0
        var bids: [Int64: Level] = [:]
        var asks: [Int64: Level] = [:]
        var sma: [Int64: JSONValue] = [:]
        var profit: [Int64: JSONValue] = [:]
    }

    struct Resting {
        var symbol: String
        var isBuy: Bool
        var price: Int64
        var leaves: Int64
    }

    struct State {
        var orders = OrderTable()
        /// Ids in placement order; may hold evicted ids until the next compaction.
        var ordersByTrader: [String: [String]] = [:]
        /// Evicted ids still listed in `ordersByTrader`, per trader.
        var staleIds: [String: Int] = [:]
        /// Finished orders, oldest finished first: the eviction order.
        var finishedByTrader: [String: FIFOQueue<String>] = [:]
        var tradesByTrader: [String: FIFOQueue<JSONValue>] = [:]
        var ordersEvicted: Int64 = 0
        var tradesEvicted: Int64 = 0
        var symbols: [String: SymbolState] = [:]
        var resting: [String: Resting] = [:]
        var topProfit: [Int64: JSONValue] = [:]
        var reportSeq: [Int32: Int64] = [:]
        var tradeSeq: [Int32: Int64] = [:]
        var reportsApplied: Int64 = 0
        var tradesApplied: Int64 = 0
        var duplicatesDropped: Int64 = 0
        /// Per trader: open orders (PENDING included) and their open notional per symbol, for the pre-trade limits.
        var exposure: [String: Exposure] = [:]
        /// Per trader and symbol: everything bought and sold, never evicted (the Kite positions and margins).
        var positions: [String: [String: PositionTally]] = [:]
    }

    /// What a trader has open: orders, and the notional of their open quantity per symbol (micro-units).
    public struct Exposure: Sendable, Hashable {
        public var openOrders = 0
        public var openNotionalMicros: [String: Int64] = [:]
    }

    /// An order's share of its trader's exposure: one open order and its leaves at its limit price (a MARKET
    /// order counts as an order only: it never rests).
    private static func share(_ o: OrderState?) -> (orders: Int, notional: Int64) {
        guard let o, ReadModel.openStatuses.contains(o.status) else { return (0, 0) }
        return (1, ReadModel.notional(priceMicros: o.priceMicros ?? 0, quantity: o.leaves))
    }

    /// price × quantity in micro-units, held at Int64.max.
    public static func notional(priceMicros: Int64, quantity: Int64) -> Int64 {
        let (product, overflow) = priceMicros.multipliedReportingOverflow(by: quantity)
        return overflow ? .max : product
    }

    /// Moves a trader's exposure from an order's old state to its new one.
    private static func reexpose(_ old: OrderState?, _ new: OrderState?, _ s: inout State) {
        guard let o = new ?? old else { return }
        let (before, after) = (share(old), share(new))
        guard before != after else { return }
        var exposure = s.exposure[o.traderId] ?? Exposure()
        exposure.openOrders += after.orders - before.orders
        let symbolNotional = (exposure.openNotionalMicros[o.symbol] ?? 0).subtractingSaturated(before.notional).addingSaturated(after.notional)
        exposure.openNotionalMicros[o.symbol] = symbolNotional == 0 ? nil : symbolNotional
        s.exposure[o.traderId] = exposure.openOrders == 0 && exposure.openNotionalMicros.isEmpty ? nil : exposure
    }

    /// A trader's open orders and open notional per symbol.
    public func exposure(trader: String) -> Exposure {
        state.withLock { $0.exposure[trader] ?? Exposure() }
    }

    /// Internal, not private: the Kite Connect adapter (`Kite/`) reads its views from the same state.
    let state = Mutex(State())
    public let hub: MarketDataHub
    /// What changed for the browser's coalesced market-data frames (`MarketWatch`).
    public let feed = MarketFeed()
    /// Windows kept per symbol for `/sma` and `/profit` history.
    public let windowsKept: Int

    /// Finished orders kept per trader (the newest); open orders are always kept.
    public let terminalOrdersPerTrader: Int
    /// Fills kept per trader for `GET /trades` (the newest).
    public let tradesPerTrader: Int

    public init(hub: MarketDataHub = MarketDataHub(), windowsKept: Int = 12, terminalOrdersPerTrader: Int = 10_000, tradesPerTrader: Int = 10_000) {
        self.hub = hub
        self.windowsKept = windowsKept
        self.terminalOrdersPerTrader = max(0, terminalOrdersPerTrader)
        self.tradesPerTrader = max(0, tradesPerTrader)
    }

    /// Records that `o` just finished, and evicts its trader's oldest finished orders past the cap.
    private func finished(_ o: OrderState, _ s: inout State) {
        s.finishedByTrader[o.traderId, default: FIFOQueue()].append(o.orderId)
        while (s.finishedByTrader[o.traderId]?.count ?? 0) > terminalOrdersPerTrader,
              let oldest = s.finishedByTrader[o.traderId]?.popFirst() {
            // (an id whose order came back to life, or was evicted already, is just skipped)
            guard let old = s.orders[oldest], !ReadModel.openStatuses.contains(old.status) else { continue }
            s.orders[oldest] = nil
            s.ordersEvicted += 1
            let stale = s.staleIds[o.traderId, default: 0] + 1
            if stale * 2 > (s.ordersByTrader[o.traderId]?.count ?? 0) {
                let orders = s.orders
                s.ordersByTrader[o.traderId]?.removeAll { orders[$0] == nil }
                s.staleIds[o.traderId] = 0
            } else {
                s.staleIds[o.traderId] = stale
            }
        }
    }

    // MARK: writes

    /// Records an order this gateway just accepted, so its owner sees it (PENDING) before the
    /// engine's first report arrives.
    public func recordAccepted(_ order: NewOrder) {
        state.withLock { s in
            guard s.orders.insertAccepted(order) else { return }
            s.ordersByTrader[order.traderId ?? ReadModel.unattributed, default: []].append(order.orderId)
            ReadModel.reexpose(nil, s.orders[order.orderId], &s)
        }
    }

    /// Marks an accepted order as never delivered (the producer gave up), so its owner is told.
    public func recordUndelivered(orderId: String, reason: String, timestamp: Int64) {
        let update: (String, JSONValue)? = state.withLock { s in
            guard var o = s.orders[orderId], o.status == "PENDING" else { return nil }
            let old = o
            o.status = "REJECTED"
            o.reason = reason
            o.leaves = 0
            o.updatedAt = timestamp
            o.history.append(HistoryEntry(status: "REJECTED", reason: reason, priceMicros: o.priceMicros, quantity: o.quantity, filled: 0, leaves: 0, timestamp: timestamp))
            s.orders[orderId] = o
            ReadModel.reexpose(old, o, &s)
            finished(o, &s)
            return (o.traderId, ReadModel.view(o, detail: false))
        }
        if let (trader, view) = update { hub.publish(toTrader: trader, MarketDataHub.frame("order", view)) }
    }

    public func apply(_ e: ExecutionEvent) {
        let result: (order: JSONValue, bookChanged: Bool)? = state.withLock { s in
            if let last = s.reportSeq[e.partition], e.seq <= last {
                s.duplicatesDropped += 1
                return nil
            }
            s.reportSeq[e.partition] = e.seq
            s.reportsApplied += 1

            let wasOpen = s.orders[e.orderId].map { ReadModel.openStatuses.contains($0.status) } ?? true
            let old = s.orders[e.orderId]
            var o = s.orders[e.orderId] ?? {
                s.ordersByTrader[e.traderId, default: []].append(e.orderId)
                return OrderState(
                    orderId: e.orderId, traderId: e.traderId, symbol: e.symbol, side: e.side, orderType: e.orderType,
                    timeInForce: e.timeInForce, validityTTL: e.validityTTL, expireAt: e.expireAt, clientOrderId: e.clientOrderId,
                    priceMicros: e.priceMicros, quantity: e.quantity, leaves: e.leavesQuantity, status: e.status,
                    createdAt: e.orderTimestamp ?? e.timestamp, updatedAt: e.timestamp)
            }()
            // A report for someone else's order id (a spoofed cancel) never rewrites the owner.
            guard o.traderId == e.traderId else { return nil }
            // REJECTED for an order the engine already accepted refuses a cancel or modify request:
            // the order itself is unchanged, so only its history records the refusal.
            if e.status == "REJECTED", o.status != "PENDING", o.status != "REJECTED" {
                if o.history.count >= ReadModel.maxHistory { o.history.removeFirst() }
                o.history.append(HistoryEntry(
                    status: "REQUEST_REJECTED", reason: e.reason, priceMicros: o.priceMicros, quantity: o.quantity,
                    filled: o.filled, leaves: o.leaves, timestamp: e.timestamp))
                o.updatedAt = e.timestamp
                s.orders[e.orderId] = o
                return (ReadModel.view(o, detail: false), false)
            }
            o.status = e.status
            o.reason = e.reason
            if let p = e.priceMicros { o.priceMicros = p }
            o.quantity = e.quantity
            o.filled = e.filledQuantity
            o.leaves = e.leavesQuantity
            o.orderType = o.orderType ?? e.orderType
            o.timeInForce = o.timeInForce ?? e.timeInForce
            o.validityTTL = o.validityTTL ?? e.validityTTL
            o.expireAt = o.expireAt ?? e.expireAt
            o.clientOrderId = o.clientOrderId ?? e.clientOrderId
            o.updatedAt = e.timestamp
            if let lp = e.lastPriceMicros, let lq = e.lastQuantity, lq > 0 {
                o.fills.append(Fill(tradeId: e.lastTradeId ?? "", priceMicros: lp, quantity: lq, timestamp: e.timestamp))
                o.notional += lp * lq
            }
            if o.history.count >= ReadModel.maxHistory { o.history.removeFirst() }
            o.history.append(HistoryEntry(
                status: e.status, reason: e.reason, priceMicros: e.priceMicros, quantity: e.quantity,
                filled: e.filledQuantity, leaves: e.leavesQuantity, timestamp: e.timestamp))
            s.orders[e.orderId] = o
            ReadModel.reexpose(old, o, &s)
            if wasOpen, !ReadModel.openStatuses.contains(o.status) { finished(o, &s) }

            // Depth: resting limit orders' leaves per price level.
            let wasResting = s.resting.removeValue(forKey: e.orderId)
            if let r = wasResting { ReadModel.adjust(&s.symbols[r.symbol, default: SymbolState()], r, sign: -1) }
            var isResting = false
            if ReadModel.openStatuses.contains(e.status), e.leavesQuantity > 0, let price = o.priceMicros,
               o.orderType != "MARKET", o.timeInForce != "IOC", o.timeInForce != "FOK" {
                let r = Resting(symbol: e.symbol, isBuy: e.side == "BUY", price: price, leaves: e.leavesQuantity)
                s.resting[e.orderId] = r
                ReadModel.adjust(&s.symbols[e.symbol, default: SymbolState()], r, sign: 1)
                isResting = true
            }
            return (ReadModel.view(o, detail: false), wasResting != nil || isResting)
        }
        guard let result else { return }
        if result.bookChanged { feed.noteBook(e.symbol) }
        hub.publish(toTrader: e.traderId, MarketDataHub.frame("order", result.order))
        if result.bookChanged, hub.hasSymbolListeners(e.symbol), let q = quote(e.symbol) {
            hub.publish(toSymbol: e.symbol, MarketDataHub.frame("quote", q))
        }
    }

    private static func adjust(_ sym: inout SymbolState, _ r: Resting, sign: Int64) {
        func update(_ levels: inout [Int64: Level]) {
            var level = levels[r.price] ?? Level()
            level.quantity += sign * r.leaves
            level.orders += Int(sign)
            levels[r.price] = level.orders <= 0 || level.quantity <= 0 ? nil : level
        }
        if r.isBuy { update(&sym.bids) } else { update(&sym.asks) }
    }

    public func apply(_ t: TradeEvent) {
        let applied: Bool = state.withLock { s in
            if let last = s.tradeSeq[t.partition], t.seq <= last {
                s.duplicatesDropped += 1
                return false
            }
            s.tradeSeq[t.partition] = t.seq
            s.tradesApplied += 1
            var sym = s.symbols[t.symbol] ?? SymbolState()
            let day = t.tradeTime >= 0 ? t.tradeTime / 86_400_000 : (t.tradeTime + 1) / 86_400_000 - 1
            if sym.sessionDay != day {
                if sym.sessionDay != nil { sym.previousClose = sym.lastPrice }
                sym.sessionDay = day
                sym.open = t.priceMicros
                sym.high = t.priceMicros
                sym.low = t.priceMicros
                sym.volume = 0
                sym.turnover = 0
                sym.trades = 0
            }
            sym.high = max(sym.high ?? t.priceMicros, t.priceMicros)
            sym.low = min(sym.low ?? t.priceMicros, t.priceMicros)
            sym.lastPrice = t.priceMicros
            sym.lastQuantity = t.quantity
            sym.lastTradeTime = t.tradeTime
            sym.volume += t.quantity
            sym.turnover += t.priceMicros * t.quantity
            sym.trades += 1
            s.symbols[t.symbol] = sym
            for (trader, side, orderId) in [(t.buyTraderId, "BUY", t.buyOrderId), (t.sellTraderId, "SELL", t.sellOrderId)] {
                s.positions[trader, default: [:]][t.symbol, default: PositionTally()].add(
                    isBuy: side == "BUY", priceMicros: t.priceMicros, quantity: t.quantity)
                s.tradesByTrader[trader, default: FIFOQueue()].append(ReadModel.tradeView(t, side: side, orderId: orderId))
                while let count = s.tradesByTrader[trader]?.count, count > tradesPerTrader {
                    _ = s.tradesByTrader[trader]?.popFirst()
                    s.tradesEvicted += 1
                }
            }
            return true
        }
        guard applied else { return }
        feed.noteTrade(t)
        for (trader, side, orderId) in [(t.buyTraderId, "BUY", t.buyOrderId), (t.sellTraderId, "SELL", t.sellOrderId)] {
            hub.publish(toTrader: trader, MarketDataHub.frame("own_trade", ReadModel.tradeView(t, side: side, orderId: orderId)))
        }
        if hub.hasSymbolListeners(t.symbol) {
            hub.publish(toSymbol: t.symbol, MarketDataHub.frame("trade", .object([
                ("trade_id", .string(t.tradeId)), ("symbol", .string(t.symbol)), ("price", .micros(t.priceMicros)),
                ("quantity", .int(t.quantity)), ("aggressor_side", .string(t.aggressorSide)), ("trade_time", .int(t.tradeTime)),
            ])))
            if let q = quote(t.symbol) { hub.publish(toSymbol: t.symbol, MarketDataHub.frame("quote", q)) }
        }
    }

    public func apply(_ a: AnalyticsEvent) {
        state.withLock { s in
            func keep(_ windows: inout [Int64: JSONValue]) {
                windows[a.windowStart] = a.record
                if windows.count > windowsKept, let oldest = windows.keys.min() { windows[oldest] = nil }
            }
            switch a.kind {
            case .sma: keep(&s.symbols[a.symbol ?? "", default: SymbolState()].sma)
            case .profit: keep(&s.symbols[a.symbol ?? "", default: SymbolState()].profit)
            case .topProfit: keep(&s.topProfit)
            }
        }
        feed.noteAnalytics(a.kind, symbol: a.symbol)
        if a.kind == .sma, let symbol = a.symbol, hub.hasSymbolListeners(symbol) {
            hub.publish(toSymbol: symbol, MarketDataHub.frame("sma", a.record))
        }
    }

    // MARK: reads

    /// An order's view if `trader` owns it; nil otherwise (another trader's order is not found).
    public func order(_ orderId: String, trader: String) -> JSONValue? {
        state.withLock { s in
            guard let o = s.orders[orderId], o.traderId == trader else { return nil }
            return ReadModel.view(o, detail: true)
        }
    }

    /// The symbol, side and status of an order owned by `trader` (for cancel/modify).
    public func ownedOrder(_ orderId: String, trader: String) -> (symbol: String, side: String, status: String)? {
        state.withLock { s in
            guard let o = s.orders[orderId], o.traderId == trader else { return nil }
            return (o.symbol, o.side, o.status)
        }
    }

    public func orders(trader: String) -> JSONValue {
        state.withLock { s in
            .array((s.ordersByTrader[trader] ?? []).compactMap { id in s.orders[id].map { ReadModel.view($0, detail: false) } })
        }
    }

    public func trades(trader: String) -> JSONValue {
        state.withLock { s in .array(Array(s.tradesByTrader[trader]?.elements ?? [])) }
    }

    public func lastPrice(_ symbol: String) -> Int64? {
        state.withLock { $0.symbols[symbol]?.lastPrice }
    }

    /// The quote of `symbol` with `depth` price levels a side (5 for `GET /quote`, 10 for the browser's book).
    public func quote(_ symbol: String, depth: Int = 5) -> JSONValue? {
        state.withLock { s in
            guard let sym = s.symbols[symbol] else { return nil }
            return ReadModel.quoteView(symbol, sym, depth: depth)
        }
    }

    public func sma(_ symbol: String) -> JSONValue {
        state.withLock { s in
            let windows = (s.symbols[symbol]?.sma ?? [:]).sorted { $0.key > $1.key }.map(\.value)
            return .object([("symbol", .string(symbol)), ("latest", windows.first ?? .null), ("windows", .array(windows))])
        }
    }

    public func profit() -> JSONValue {
        state.withLock { s in
            .array(s.symbols.keys.sorted().compactMap { symbol in
                s.symbols[symbol]?.profit.max { $0.key < $1.key }?.value
            })
        }
    }

    public func topProfit() -> JSONValue {
        state.withLock { s in
            let windows = s.topProfit.sorted { $0.key > $1.key }.map(\.value)
            return .object([("latest", windows.first ?? .null), ("windows", .array(windows))])
        }
    }

    public struct Counts: Sendable {
        public var orders: Int
        public var reportsApplied: Int64
        public var tradesApplied: Int64
        public var duplicatesDropped: Int64
        /// Finished orders and fills dropped by the per-trader caps.
        public var ordersEvicted: Int64
        public var tradesEvicted: Int64
    }

    public var counts: Counts {
        state.withLock {
            Counts(
                orders: $0.orders.count, reportsApplied: $0.reportsApplied, tradesApplied: $0.tradesApplied,
                duplicatesDropped: $0.duplicatesDropped, ordersEvicted: $0.ordersEvicted, tradesEvicted: $0.tradesEvicted)
        }
    }

    // MARK: rendering

    static func averagePrice(_ o: OrderState) -> JSONValue {
        let filled: Int64 = o.fills.reduce(0) { $0 + $1.quantity }
        return filled > 0 ? .micros(o.notional / filled) : .null
    }

    static func view(_ o: OrderState, detail: Bool) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("order_id", .string(o.orderId)),
            ("trader_id", .string(o.traderId)),
            ("symbol", .string(o.symbol)),
            ("side", .string(o.side)),
            ("order_type", .optional(o.orderType)),
            ("validity", .optional(o.timeInForce)),
            ("validity_ttl", o.validityTTL.map(JSONValue.int) ?? .null),
            ("expire_at", o.expireAt.map(JSONValue.int) ?? .null),
            ("price", o.priceMicros.map(JSONValue.micros) ?? .null),
            ("quantity", .int(o.quantity)),
            ("filled_quantity", .int(o.filled)),
            ("pending_quantity", .int(o.leaves)),
            ("average_price", averagePrice(o)),
            ("status", .string(o.status)),
            ("status_message", .optional(o.reason)),
            ("client_order_id", .optional(o.clientOrderId)),
            ("order_timestamp", .int(o.createdAt)),
            ("update_timestamp", .int(o.updatedAt)),
        ]
        if detail {
            members.append(("fills", .array(o.fills.map { f in
                .object([("trade_id", .string(f.tradeId)), ("price", .micros(f.priceMicros)), ("quantity", .int(f.quantity)), ("timestamp", .int(f.timestamp))])
            })))
            members.append(("history", .array(o.history.map { h in
                .object([
                    ("status", .string(h.status)), ("status_message", .optional(h.reason)),
                    ("price", h.priceMicros.map(JSONValue.micros) ?? .null), ("quantity", .int(h.quantity)),
                    ("filled_quantity", .int(h.filled)), ("pending_quantity", .int(h.leaves)), ("timestamp", .int(h.timestamp)),
                ])
            })))
        }
        return .object(members)
    }

    static func tradeView(_ t: TradeEvent, side: String, orderId: String) -> JSONValue {
        .object([
            ("trade_id", .string(t.tradeId)), ("order_id", .string(orderId)), ("symbol", .string(t.symbol)),
            ("side", .string(side)), ("price", .micros(t.priceMicros)), ("quantity", .int(t.quantity)),
            ("aggressor_side", .string(t.aggressorSide)), ("fill_timestamp", .int(t.tradeTime)),
        ])
    }

    static func quoteView(_ symbol: String, _ sym: SymbolState, depth levelsShown: Int = 5) -> JSONValue {
        func depth(_ levels: [Int64: Level], descending: Bool) -> JSONValue {
            let sorted = levels.sorted { descending ? $0.key > $1.key : $0.key < $1.key }.prefix(levelsShown)
            return .array(sorted.map { price, level in
                .object([("price", .micros(price)), ("quantity", .int(level.quantity)), ("orders", .int(level.orders))])
            })
        }
        func price(_ value: Int64?) -> JSONValue { value.map(JSONValue.micros) ?? .null }
        func best(_ levels: [Int64: Level], _ price: Int64?) -> JSONValue {
            guard let price else { return .null }
            return .object([("price", .micros(price)), ("quantity", .int(levels[price]?.quantity ?? 0))])
        }
        let ohlc: JSONValue = .object([
            ("open", price(sym.open)), ("high", price(sym.high)), ("low", price(sym.low)), ("close", price(sym.previousClose)),
        ])
        let buyQuantity: Int64 = sym.bids.values.reduce(0) { $0 + $1.quantity }
        let sellQuantity: Int64 = sym.asks.values.reduce(0) { $0 + $1.quantity }
        let vwap: JSONValue = sym.volume > 0 ? .micros(sym.turnover / sym.volume) : .null
        var members: [(String, JSONValue)] = [("symbol", .string(symbol))]
        members.append(("last_price", price(sym.lastPrice)))
        members.append(("last_quantity", sym.lastQuantity.map(JSONValue.int) ?? .null))
        members.append(("last_trade_time", sym.lastTradeTime.map(JSONValue.int) ?? .null))
        members.append(("volume", .int(sym.volume)))
        members.append(("trades", .int(sym.trades)))
        members.append(("average_price", vwap))
        members.append(("ohlc", ohlc))
        members.append(("buy_quantity", .int(buyQuantity)))
        members.append(("sell_quantity", .int(sellQuantity)))
        members.append(("best_bid", best(sym.bids, sym.bids.keys.max())))
        members.append(("best_ask", best(sym.asks, sym.asks.keys.min())))
        members.append(("depth", .object([("buy", depth(sym.bids, descending: true)), ("sell", depth(sym.asks, descending: false))])))
        return .object(members)
    }
}
