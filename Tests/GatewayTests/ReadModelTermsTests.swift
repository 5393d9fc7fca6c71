import Gateway
import Testing

/// Only an order's first reports carry its terms (type, validity, TTL, client order id, placement time); the read
/// model keeps what it learned from them.
@Suite struct ReadModelTermsTests {
    static let placedAt: Int64 = 1_700_000_000_000

    static func event(
        _ status: String, price: Int64 = 160_250_000, quantity: Int64 = 10, filled: Int64 = 0, leaves: Int64 = 10,
        withTerms: Bool = false, seq: Int64, time: Int64
    ) -> ExecutionEvent {
        ExecutionEvent(
            orderId: "o-1", traderId: "alice", symbol: "AAPL", side: "SELL", status: status, priceMicros: price,
            quantity: quantity, filledQuantity: filled, leavesQuantity: leaves, lastPriceMicros: filled > 0 ? price : nil,
            lastQuantity: filled > 0 ? 1 : nil, orderType: withTerms ? "LIMIT" : nil, timeInForce: withTerms ? "TTL" : nil,
            validityTTL: withTerms ? 5 : nil, clientOrderId: withTerms ? "mine" : nil,
            orderTimestamp: withTerms ? placedAt : nil, seq: seq, timestamp: time)
    }

    @Test func termsLearnedFromTheFirstReportSurviveLaterReports() {
        let model = ReadModel()
        model.apply(Self.event("NEW", withTerms: true, seq: 1, time: Self.placedAt + 3))
        model.apply(Self.event("PARTIALLY_FILLED", filled: 1, leaves: 9, seq: 2, time: Self.placedAt + 10))
        // A modify: new price and quantity, same order.
        model.apply(Self.event("REPLACED", price: 161_000_000, quantity: 8, filled: 1, leaves: 7, seq: 3, time: Self.placedAt + 20))
        let replaced = model.order("o-1", trader: "alice")
        #expect(replaced?["status"] == .string("REPLACED"))
        #expect(replaced?["price"] == .micros(161_000_000) && replaced?["quantity"] == .int(8))
        model.apply(Self.event("EXPIRED", price: 161_000_000, quantity: 8, filled: 1, leaves: 0, seq: 4, time: Self.placedAt + 300_000))

        for view in [replaced, model.order("o-1", trader: "alice")] {
            #expect(view?["order_type"] == .string("LIMIT"))
            #expect(view?["validity"] == .string("TTL"))
            #expect(view?["validity_ttl"] == .int(5))
            #expect(view?["client_order_id"] == .string("mine"))
            #expect(view?["order_timestamp"] == .int(Self.placedAt))
        }
        #expect(model.order("o-1", trader: "alice")?["status"] == .string("EXPIRED"))
        #expect(model.order("o-1", trader: "alice")?["update_timestamp"] == .int(Self.placedAt + 300_000))
    }

    /// A reader that missed the first report (the log no longer holds it) shows the order without its terms, and
    /// follows it as usual.
    @Test func anOrderFirstSeenThroughALaterReportHasNoTerms() {
        let model = ReadModel()
        let seenAt = Self.placedAt + 10
        model.apply(Self.event("PARTIALLY_FILLED", filled: 1, leaves: 9, seq: 7, time: seenAt))
        let view = model.order("o-1", trader: "alice")
        #expect(view?["status"] == .string("PARTIALLY_FILLED"))
        for field in ["order_type", "validity", "validity_ttl", "client_order_id"] { #expect(view?[field] == .null, "\(field)") }
        #expect(view?["order_timestamp"] == .int(seenAt))
        #expect(view?["pending_quantity"] == .int(9))
        // Without its type and validity it still counts as resting in the depth, as before the reports carried them.
        #expect(model.quote("AAPL")?["best_ask"]?["quantity"] == .int(9))

        model.apply(Self.event("CANCELED", filled: 1, leaves: 0, seq: 8, time: seenAt + 5))
        #expect(model.order("o-1", trader: "alice")?["status"] == .string("CANCELED"))
        #expect(model.order("o-1", trader: "alice")?["order_type"] == .null)
    }
}
