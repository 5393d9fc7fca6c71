import ExchangeRecords

/// The read model's state as the Kite layer renders it (its own views are the gateway's JSON).
extension ReadModel {
    func orderStates(trader: String) -> [OrderState] {
        state.withLock { s in (s.ordersByTrader[trader] ?? []).compactMap { s.orders[$0] } }
    }

    func orderState(_ orderId: String, trader: String) -> OrderState? {
        state.withLock { s in s.orders[orderId].flatMap { $0.traderId == trader ? $0 : nil } }
    }

    func tradeViews(trader: String) -> [JSONValue] {
        state.withLock { s in Array(s.tradesByTrader[trader]?.elements ?? []) }
    }

    func symbolState(_ symbol: String) -> SymbolState {
        state.withLock { $0.symbols[symbol] ?? SymbolState() }
    }

    func positionTallies(trader: String) -> [String: PositionTally] {
        state.withLock { $0.positions[trader] ?? [:] }
    }
}
