/// Topics the stages use among themselves, besides the exchange's own (docs/records.md, "Fields by topic"; those stay
/// exactly as documented there). All are in the topic table of docs/architecture.md, "Topics".
public enum InternalTopics {
    /// Ticks forwarded by the matcher to the analytics, sharing the trades' per-partition sequence.
    public static let matchedTradesTicks = "matched_trades_ticks"
    /// Per-partition final rankings and watermarks for the single `top` merger (one partition).
    public static let topProfitPartials = "top_profit_partials"
}
