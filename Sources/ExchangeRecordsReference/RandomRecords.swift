public import ExchangeRecords

/// Random valid records for the property tests: unicode and escape-worthy text, edge-case numbers.
public enum RandomRecords {
    public static func pick<T, R: RandomNumberGenerator>(_ options: [T], _ g: inout R) -> T {
        options[Int.random(in: 0..<options.count, using: &g)]
    }

    public static func chance<R: RandomNumberGenerator>(_ g: inout R, _ p: Double = 0.5) -> Bool {
        Double.random(in: 0..<1, using: &g) < p
    }

    /// Text with quotes, backslashes, control characters, slashes, non-ASCII and astral characters.
    public static func text<R: RandomNumberGenerator>(_ g: inout R, length: ClosedRange<Int> = 0...20) -> String {
        let pieces: [String] = [
            "a", "Z", "0", "-", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "€", "日本", "😀", "\u{7F}",
            "\u{2028}", "order", "xyz",
        ]
        var s = ""
        for _ in 0..<Int.random(in: length, using: &g) { s += pick(pieces, &g) }
        return s
    }

    public static func identifier<R: RandomNumberGenerator>(_ g: inout R) -> String {
        if chance(&g, 0.3) {
            let t = text(&g, length: 1...10)
            if !t.isEmpty && t.utf8.count <= 128 { return t }
        }
        return "id-" + String(UInt64.random(in: 0...UInt64.max, using: &g), radix: 36)
    }

    public static func symbol<R: RandomNumberGenerator>(_ g: inout R) -> String {
        if chance(&g, 0.7) { return pick(["AAPL", "GOOG", "TSLA", "AMZN", "FB"], &g) }
        let chars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_&")
        return String((0..<Int.random(in: 1...12, using: &g)).map { _ in pick(chars, &g) })
    }

    public static func price<R: RandomNumberGenerator>(_ g: inout R) -> FixedDecimal {
        switch Int.random(in: 0..<4, using: &g) {
        case 0: FixedDecimal(micros: Int64.random(in: 1...5_000, using: &g) * 1_000_000)
        case 1: FixedDecimal(micros: Int64.random(in: 1...5_000_000, using: &g) * 10_000)
        case 2: FixedDecimal(micros: Int64.random(in: 1...Int64.max, using: &g))
        default: FixedDecimal(micros: Int64.random(in: 1...999_999, using: &g))
        }
    }

    public static func signedDecimal<R: RandomNumberGenerator>(_ g: inout R) -> FixedDecimal {
        chance(&g, 0.1) ? .zero : FixedDecimal(micros: price(&g).micros * (chance(&g) ? 1 : -1))
    }

    public static func positive<R: RandomNumberGenerator>(_ g: inout R) -> Int64 {
        chance(&g, 0.9) ? Int64.random(in: 1...10_000, using: &g) : Int64.random(in: 1...Int64.max, using: &g)
    }

    public static func nonNegative<R: RandomNumberGenerator>(_ g: inout R) -> Int64 {
        chance(&g, 0.1) ? 0 : positive(&g)
    }

    public static func timestamp<R: RandomNumberGenerator>(_ g: inout R) -> Int64 {
        chance(&g, 0.9) ? Int64.random(in: 1_600_000_000_000...1_900_000_000_000, using: &g) : nonNegative(&g)
    }

    public static func incoming<R: RandomNumberGenerator>(_ g: inout R) -> IncomingOrder {
        let side = pick(Side.allCases, &g)
        switch Int.random(in: 0..<11, using: &g) {
        case 0:
            return .tick(Tick(timestamp: timestamp(&g)))
        case 10:
            return .instrument(instrumentChange(&g))
        case 1:
            return .cancel(
                CancelOrder(
                    orderId: identifier(&g), traderId: identifier(&g), stockSymbol: symbol(&g), side: side,
                    timestamp: timestamp(&g)))
        case 2:
            let both = chance(&g)
            let priceFirst = chance(&g)
            return .modify(
                ModifyOrder(
                    orderId: identifier(&g), traderId: identifier(&g), stockSymbol: symbol(&g), side: side,
                    price: both || priceFirst ? price(&g) : nil, quantity: both || !priceFirst ? positive(&g) : nil,
                    timestamp: timestamp(&g)))
        default:
            let type = pick(OrderType.allCases, &g)
            let tif = pick(TimeInForce.allCases, &g)
            return .new(
                NewOrder(
                    orderId: identifier(&g), clientOrderId: chance(&g, 0.3) ? identifier(&g) : nil,
                    traderId: chance(&g, 0.1) ? nil : identifier(&g), stockSymbol: symbol(&g), side: side, orderType: type,
                    price: type == .limit ? price(&g) : nil, quantity: positive(&g), timeInForce: tif,
                    validityTTL: tif == .timeToLive ? positive(&g) : nil, expireAt: tif == .goodTillDate ? timestamp(&g) : nil,
                    timestamp: timestamp(&g)))
        }
    }

    public static func sequenced<R: RandomNumberGenerator>(_ g: inout R) -> SequencedOrder {
        SequencedOrder(seq: positive(&g), sourceOffset: chance(&g, 0.8) ? nonNegative(&g) : nil, order: incoming(&g))
    }

    public static func trade<R: RandomNumberGenerator>(_ g: inout R) -> MatchedTrade {
        MatchedTrade(
            tradeId: identifier(&g), buyOrderId: identifier(&g), sellOrderId: identifier(&g),
            buyStockSymbol: symbol(&g), price: price(&g), buyPrice: chance(&g, 0.8) ? price(&g) : nil,
            sellPrice: chance(&g, 0.8) ? price(&g) : nil, quantity: positive(&g), buyTraderId: identifier(&g),
            sellTraderId: identifier(&g), aggressorSide: pick(Side.allCases, &g), tradeTime: timestamp(&g),
            seq: positive(&g))
    }

    public static func report<R: RandomNumberGenerator>(_ g: inout R) -> ExecutionReport {
        let fill = chance(&g)
        // Terms absent too: records written before they existed, or a refusal about an unknown order.
        let terms = chance(&g, 0.8)
        return ExecutionReport(
            orderId: identifier(&g), clientOrderId: chance(&g, 0.3) ? identifier(&g) : nil,
            traderId: chance(&g, 0.1) ? nil : identifier(&g), symbol: symbol(&g), side: pick(Side.allCases, &g), orderType: terms ? pick(OrderType.allCases, &g) : nil,
            timeInForce: terms ? pick(TimeInForce.allCases, &g) : nil, validityTTL: terms && chance(&g, 0.3) ? positive(&g) : nil,
            expireAt: terms && chance(&g, 0.2) ? timestamp(&g) : nil,
            status: pick(OrderStatus.allCases, &g),
            reason: chance(&g, 0.3) ? text(&g) : nil, price: chance(&g, 0.8) ? price(&g) : nil,
            quantity: nonNegative(&g), filledQuantity: nonNegative(&g), leavesQuantity: nonNegative(&g),
            lastPrice: fill ? price(&g) : nil, lastQuantity: fill ? positive(&g) : nil,
            tradeId: fill ? identifier(&g) : nil, seq: positive(&g), orderTimestamp: terms ? timestamp(&g) : nil,
            timestamp: timestamp(&g))
    }

    public static func sma<R: RandomNumberGenerator>(_ g: inout R) -> SimpleMovingAverage {
        let start = timestamp(&g)
        return SimpleMovingAverage(
            stockSymbol: symbol(&g), sma: signedDecimal(&g), windowStart: start, windowEnd: start &+ 600_000,
            count: nonNegative(&g), vwap: signedDecimal(&g))
    }

    public static func profit<R: RandomNumberGenerator>(_ g: inout R) -> StockProfit {
        let start = timestamp(&g)
        return StockProfit(
            stockSymbol: symbol(&g), windowStart: start, windowEnd: start &+ 600_000, open: price(&g),
            high: price(&g), low: price(&g), close: price(&g), profit: signedDecimal(&g),
            profitPct: signedDecimal(&g), trades: nonNegative(&g), volume: nonNegative(&g))
    }

    public static func top<R: RandomNumberGenerator>(_ g: inout R) -> TopProfit {
        let start = timestamp(&g)
        let ranking = (0..<Int.random(in: 0...6, using: &g)).map { _ in
            ProfitRankingEntry(stockSymbol: symbol(&g), profit: signedDecimal(&g), profitPct: signedDecimal(&g))
        }
        return TopProfit(
            windowStart: start, windowEnd: start &+ 600_000, stockSymbol: symbol(&g), profit: signedDecimal(&g),
            profitPct: signedDecimal(&g), ranking: ranking)
    }

    public static func instrument<R: RandomNumberGenerator>(_ g: inout R) -> Instrument {
        let a = price(&g)
        let b = price(&g)
        let status = pick(InstrumentStatus.allCases, &g)
        return Instrument(
            symbol: symbol(&g), name: text(&g), exchange: pick(["NSE", "XNAS", "KX"], &g), tickSize: price(&g),
            lotSize: positive(&g), lastPrice: price(&g), priceBandLow: min(a, b), priceBandHigh: max(a, b),
            maxOrderQuantity: chance(&g) ? positive(&g) : nil, status: status, haltReason: status == .halted && chance(&g) ? text(&g) : nil)
    }

    /// An `INSTRUMENT` record the reader takes: a definition on its own grid for LIST and SET, none for the others.
    public static func instrumentChange<R: RandomNumberGenerator>(_ g: inout R) -> InstrumentChange {
        let action = pick(InstrumentAction.allCases, &g)
        let stockSymbol = symbol(&g)
        var definition: Instrument?
        if action == .list || action == .set {
            let tick = Int64.random(in: 1...1_000_000, using: &g)
            let low = tick * Int64.random(in: 1...1_000, using: &g)
            let lot = Int64.random(in: 1...100, using: &g)
            definition = Instrument(
                symbol: stockSymbol, name: text(&g), exchange: pick(["NSE", "XNAS", "KX"], &g), tickSize: FixedDecimal(micros: tick),
                lotSize: lot, lastPrice: price(&g), priceBandLow: FixedDecimal(micros: low),
                priceBandHigh: FixedDecimal(micros: low + tick * Int64.random(in: 0...1_000, using: &g)),
                maxOrderQuantity: chance(&g) ? lot * Int64.random(in: 1...1_000, using: &g) : nil)
        }
        return InstrumentChange(
            action: action, stockSymbol: stockSymbol, instrument: definition, reason: chance(&g, 0.3) ? text(&g) : nil, timestamp: timestamp(&g))
    }

    public static func deadLetter<R: RandomNumberGenerator>(_ g: inout R) -> DeadLetter {
        let raw: [UInt8] =
            chance(&g) ? Array(text(&g).utf8) : (0..<Int.random(in: 0...40, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
        return DeadLetter(
            sourceTopic: pick(Topology.data.map(\.name), &g), sourcePartition: Int32.random(in: 0...63, using: &g),
            sourceOffset: nonNegative(&g), rawPayload: raw, reason: text(&g), stage: pick(["split", "match", "sma"], &g),
            timestamp: timestamp(&g))
    }
}

extension RandomRecords {
    /// A new order as traders send them: ASCII ids, seed symbols, prices near the reference on a 0.05 grid.
    public static func typicalNewOrder<R: RandomNumberGenerator>(_ g: inout R, number: Int) -> IncomingOrder {
        let (symbol, reference) = pick([("AAPL", 160), ("GOOG", 1165), ("TSLA", 760), ("AMZN", 3011), ("FB", 395)], &g)
        let ticks = Int64(reference * 20) + Int64.random(in: -Int64(reference)...Int64(reference), using: &g)
        return .new(
            NewOrder(
                orderId: "ord-\(number)-\(UInt32.random(in: 0...UInt32.max, using: &g))",
                traderId: "trader-\(Int.random(in: 1...100, using: &g))", stockSymbol: symbol,
                side: pick(Side.allCases, &g), orderType: .limit, price: FixedDecimal(micros: ticks * 50_000),
                quantity: Int64.random(in: 1...10, using: &g) * 10, timeInForce: .goodTillCanceled,
                timestamp: 1_700_000_000_000 + Int64(number)))
    }

    /// A trade between two typical orders.
    public static func typicalTrade<R: RandomNumberGenerator>(_ g: inout R, number: Int) -> MatchedTrade {
        guard case .new(let buy) = typicalNewOrder(&g, number: number),
            case .new(let sell) = typicalNewOrder(&g, number: number + 1)
        else { preconditionFailure("typicalNewOrder makes new orders") }
        let price = buy.price ?? .zero
        return MatchedTrade(
            tradeId: "0-\(number)", buyOrderId: buy.orderId, sellOrderId: sell.orderId, buyStockSymbol: buy.stockSymbol,
            price: price, buyPrice: price, sellPrice: price, quantity: min(buy.quantity, sell.quantity),
            buyTraderId: buy.traderId, sellTraderId: sell.traderId, aggressorSide: buy.side, tradeTime: buy.timestamp,
            seq: Int64(number + 1))
    }

    /// A partial-fill report of a typical order.
    public static func typicalReport<R: RandomNumberGenerator>(_ g: inout R, number: Int) -> ExecutionReport {
        guard case .new(let o) = typicalNewOrder(&g, number: number) else {
            preconditionFailure("typicalNewOrder makes new orders")
        }
        let filled = o.quantity / 2
        return ExecutionReport(
            orderId: o.orderId, traderId: o.traderId, symbol: o.stockSymbol, side: o.side, orderType: o.orderType,
            timeInForce: o.timeInForce, validityTTL: o.validityTTL, status: .partiallyFilled,
            price: o.price, quantity: o.quantity, filledQuantity: filled, leavesQuantity: o.quantity - filled,
            lastPrice: o.price, lastQuantity: filled, tradeId: "0-\(number)", seq: Int64(number + 1),
            orderTimestamp: o.timestamp, timestamp: o.timestamp)
    }
}

/// A tiny seeded random number generator (reproducible records and corruptions).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
