import ExchangeRecords

/// Random orders over the seed instruments around their reference prices — the demo flow of `exchange run` and the
/// load of the pipeline benchmark. Deterministic for a given seed (SplitMix64), so a run can be reproduced.
///
/// Prices are reference ± up to 10 steps of 0.05 on both sides, so roughly half the orders cross; a few orders are
/// IOC or MARKET. Every GTC order is cancelled again once `maxLiveOrders` newer GTC orders exist (the cancel is
/// rejected if it has filled meanwhile), which keeps the books — and the matcher's snapshots — bounded however
/// long the flow runs.
public struct DemoOrderGenerator: Sendable {
    public static let seedInstruments: [(symbol: String, referencePrice: Int64)] = [
        ("AAPL", 160), ("GOOG", 1165), ("TSLA", 760), ("AMZN", 3011), ("FB", 395),
    ]

    private var state: UInt64
    private let prefix: String
    private var count = 0
    private var recent: [(id: String, trader: String, symbol: String, side: ExchangeRecords.Side)] = []
    private var oldest = 0
    private let maxLiveOrders: Int

    public init(seed: UInt64 = 1, orderIdPrefix: String = "demo", maxLiveOrders: Int = 1_000) {
        state = seed
        prefix = orderIdPrefix
        self.maxLiveOrders = maxLiveOrders
    }

    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ n: Int) -> Int { Int(random() % UInt64(n)) }

    /// The next record for `incoming_orders` (a new order, now and then a cancel of a recent one).
    public mutating func next(timestamp: Int64) -> IncomingOrder {
        count += 1
        if recent.count - oldest >= maxLiveOrders {
            let victim = recent[oldest]
            oldest += 1
            if oldest >= 4_096 {
                recent.removeFirst(oldest)
                oldest = 0
            }
            return .cancel(
                CancelOrder(
                    orderId: victim.id, traderId: victim.trader, stockSymbol: victim.symbol, side: victim.side,
                    timestamp: timestamp))
        }
        let instrument = Self.seedInstruments[below(Self.seedInstruments.count)]
        let side: ExchangeRecords.Side = below(2) == 0 ? .buy : .sell
        let trader = "trader-\(below(20) + 1)"
        let id = "\(prefix)-\(count)"
        let roll = below(100)
        let orderType: OrderType = roll < 5 ? .market : .limit
        let timeInForce: TimeInForce = roll < 15 ? .immediateOrCancel : .goodTillCanceled
        let steps = Int64(below(21) - 10)
        let price = FixedDecimal(micros: instrument.referencePrice * 1_000_000 + steps * 50_000)
        let order = NewOrder(
            orderId: id, traderId: trader, stockSymbol: instrument.symbol, side: side, orderType: orderType,
            price: orderType == .limit ? price : nil, quantity: Int64(below(100) + 1), timeInForce: timeInForce,
            timestamp: timestamp)
        if timeInForce == .goodTillCanceled { recent.append((id, trader, instrument.symbol, side)) }
        return .new(order)
    }
}
