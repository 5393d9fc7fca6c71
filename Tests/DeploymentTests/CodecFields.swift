/// The JSON field names our record codecs write on each topic (what the ksqlDB statements may read).
enum CodecFields {
    static let byTopic: [String: Set<String>] = [
        "incoming_orders": [
            "order_id", "trader_id", "stock_symbol", "side", "order_type", "price", "quantity", "time_in_force",
            "validity_ttl", "client_order_id", "type", "timestamp",
        ],
        "matched_trades": [
            "TRADE_ID", "BUY_ORDER_ID", "SELL_ORDER_ID", "BUY_STOCK_SYMBOL", "PRICE", "BUY_PRICE", "SELL_PRICE",
            "QUANTITY", "BUY_TRADER_ID", "SELL_TRADER_ID", "AGGRESSOR_SIDE", "TRADE_TIME", "SEQ",
        ],
        "SMA_HOPPING_TABLE": ["STOCK_SYMBOL", "SMA", "WINDOW_START", "WINDOW_END", "COUNT", "VWAP"],
        "stock_profit": [
            "STOCK_SYMBOL", "WINDOW_START", "WINDOW_END", "OPEN", "HIGH", "LOW", "CLOSE", "PROFIT", "PROFIT_PCT",
            "TRADES", "VOLUME",
        ],
    ]
}
