/// The topic names of DESIGN.md §2.
public enum TopicNames {
    public static let incomingOrders = "incoming_orders"
    public static let buyOrders = "buy_orders"
    public static let sellOrders = "sell_orders"
    public static let matchedTrades = "matched_trades"
    public static let executionReports = "execution_reports"
    public static let smaHoppingTable = "SMA_HOPPING_TABLE"
    public static let stockProfit = "stock_profit"
    public static let topProfit = "top_profit"
    public static let topProfitPartials = "top_profit_partials"
    public static let instruments = "instruments"
    public static let deadLetters = "dead_letters"
}
