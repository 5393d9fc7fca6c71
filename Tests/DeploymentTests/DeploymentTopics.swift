/// The topics the exchange's stages read and write (DESIGN.md section 2, /work/notes/streams-design.md), as a
/// deployment must create them.
struct DeploymentTopics {
    let name: String
    /// A fixed count, or nil when it follows the deployment's PARTITIONS.
    let partitions: Int?
    let compacted: Bool
    /// Keeps a symbol's partition number from incoming_orders on, so its count must equal incoming_orders'.
    let samePartitionsAsOrders: Bool

    static func keyed(_ name: String, compacted: Bool = false) -> DeploymentTopics {
        DeploymentTopics(name: name, partitions: nil, compacted: compacted, samePartitionsAsOrders: true)
    }

    static func single(_ name: String, compacted: Bool = false) -> DeploymentTopics {
        DeploymentTopics(name: name, partitions: 1, compacted: compacted, samePartitionsAsOrders: false)
    }

    static let stages = ["split", "match", "sma", "profit", "top"]

    static let all: [DeploymentTopics] =
        ["incoming_orders", "buy_orders", "sell_orders", "matched_trades", "execution_reports",
         "SMA_HOPPING_TABLE", "stock_profit", "matched_trades_ticks"].map { keyed($0) }
        + [single("top_profit_partials"), single("top_profit"), single("dead_letters"),
           single("instruments", compacted: true)]
        + stages.map { keyed("exchange-\($0)-changelog", compacted: true) }
}
