/// The exchange's Kafka topic names (docs/architecture.md, "Topics"; their records in docs/records.md).
public enum TopicName {
    public static let incomingOrders = "incoming_orders"
    public static let buyOrders = "buy_orders"
    public static let sellOrders = "sell_orders"
    public static let matchedTrades = "matched_trades"
    public static let executionReports = "execution_reports"
    public static let smaHoppingTable = "SMA_HOPPING_TABLE"
    public static let stockProfit = "stock_profit"
    public static let topProfit = "top_profit"
    public static let instruments = "instruments"
    public static let deadLetters = "dead_letters"

    /// Every data topic (not the stages' changelog topics).
    public static let all = [
        incomingOrders, buyOrders, sellOrders, matchedTrades, executionReports, smaHoppingTable, stockProfit,
        topProfit, instruments, deadLetters,
    ]

    /// The JSON field names a topic's values can carry (the codec's `fieldNames`), for checks such as the ksqlDB
    /// column drift test; nil for an unknown topic. `top_profit`'s `RANKING` elements are listed by
    /// `ProfitRankingEntry.fieldNames`.
    public static func fieldNames(of topic: String) -> [String]? {
        switch topic {
        case incomingOrders: IncomingOrder.fieldNames
        case buyOrders, sellOrders: SequencedOrder.fieldNames
        case matchedTrades: MatchedTrade.fieldNames
        case executionReports: ExecutionReport.fieldNames
        case smaHoppingTable: SimpleMovingAverage.fieldNames
        case stockProfit: StockProfit.fieldNames
        case topProfit: TopProfit.fieldNames
        case instruments: Instrument.fieldNames
        case deadLetters: DeadLetter.fieldNames
        default: nil
        }
    }
}
