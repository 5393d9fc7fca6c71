import ExchangeRecords
import MatchingEngine

// OWNER: engine helper (first version written by streams so the matcher could run).
// The matcher calls `process`, `matchedTrade` and `executionReport`; `exchange engine --stdio` uses them too.
// The order's terms go onto the reports here, not in the engine: keeping them in its order slots cost the
// engine a third of its throughput.

/// Wire records (ExchangeRecords) ↔ engine commands and events.
///
/// Decimals arrive as `FixedDecimal` micros and go to the engine as `Price` micros unchanged (the engine
/// rejects off-tick values); events come back with handles that the engine turns into id strings.
/// Identity is the caller's: it passes `TRADE_ID` and the `SEQ`/`seq` numbers, e.g. `"<partition>-<tradeNumber>"`.
public enum EngineRecordMapping {
    /// Applies one `incoming_orders` record to the engine, appending the events it causes. Returns the terms of the
    /// order a new-order record places (nil for the other kinds), for `executionReport` to put on that order's
    /// reports among these events.
    public static func process(_ order: IncomingOrder, engine: Engine, into events: inout [EngineEvent]) -> OrderTerms? {
        guard let applied = command(order, engine: engine) else {
            if case .instrument(let change) = order { engine.process(control(change), into: &events) }
            return nil
        }
        engine.process(applied, into: &events)
        guard case .new(let placed) = applied, case .new(let o) = order else { return nil }
        return OrderTerms(order: placed.order, of: o)
    }

    /// What a new order's reports repeat of it, so a reader that never saw it placed shows it whole. Only the
    /// reports of the command that placed it carry them (the order's first report is among those): later reports
    /// would need the engine to keep them per order.
    public struct OrderTerms: Sendable, Hashable {
        /// The placed order; the command's reports about other orders (resting ones it fills) get no terms.
        public var order: OrderHandle
        public var clientOrderId: String?
        public var orderType: OrderType
        public var timeInForce: TimeInForce
        public var validityTTL: Int64?
        public var expireAt: Int64?
        public var orderTimestamp: Int64

        public init(order: OrderHandle, of placed: ExchangeRecords.NewOrder) {
            self.order = order
            clientOrderId = placed.clientOrderId
            orderType = placed.orderType
            timeInForce = placed.timeInForce
            // The report record holds positive minutes and timestamps from 0, as a decoded order has them.
            validityTTL = placed.validityTTL.flatMap { $0 > 0 ? $0 : nil }
            expireAt = placed.expireAt.flatMap { $0 >= 0 ? $0 : nil }
            orderTimestamp = max(0, placed.timestamp)
        }
    }

    /// The engine command of an order, cancel, modify or tick; nil for an instrument change (`control(_:)`).
    public static func command(_ order: IncomingOrder, engine: Engine) -> Command? {
        switch order {
        case .new(let o):
            return .new(
                MatchingEngine.NewOrder(
                    order: engine.orderHandle(o.orderId), trader: o.traderId.map(engine.traderHandle) ?? .unattributed,
                    symbol: engine.symbolHandle(o.stockSymbol), side: o.side,
                    type: o.orderType == .limit ? .limit : .market, price: o.price.map { Price(micros: $0.micros) },
                    quantity: o.quantity, timeInForce: o.timeInForce, validityTTLMinutes: o.validityTTL,
                    expireAt: o.expireAt, timestamp: o.timestamp))
        case .cancel(let c):
            return .cancel(
                MatchingEngine.CancelOrder(
                    order: engine.orderHandle(c.orderId), trader: engine.traderHandle(c.traderId),
                    symbol: engine.symbolHandle(c.stockSymbol), side: c.side, timestamp: c.timestamp))
        case .modify(let m):
            return .modify(
                MatchingEngine.ModifyOrder(
                    order: engine.orderHandle(m.orderId), trader: engine.traderHandle(m.traderId),
                    symbol: engine.symbolHandle(m.stockSymbol), side: m.side, price: m.price.map { Price(micros: $0.micros) },
                    quantity: m.quantity, timestamp: m.timestamp))
        case .tick(let t):
            return .tick(timestamp: t.timestamp)
        case .instrument:
            return nil
        }
    }

    /// The engine's form of an instrument change.
    public static func control(_ change: InstrumentChange) -> InstrumentControl {
        InstrumentControl(
            action: change.action, symbol: change.stockSymbol, instrument: change.instrument.map(engineInstrument), timestamp: change.timestamp)
    }

    /// Why the engine refuses an instrument change at this point of the sequence (unknown symbol, a listing of a
    /// listed one, a definition it cannot trade), or nil: also nil for every other record. A refused change alters
    /// nothing; the matcher dead-letters it, the replay answers an error line.
    public static func refusal(_ order: IncomingOrder, engine: Engine) -> String? {
        guard case .instrument(let change) = order else { return nil }
        return engine.refusal(control(change))
    }

    /// The engine's instrument for an `instruments` record (prices stay micro-units; the band is always given there).
    public static func engineInstrument(_ record: ExchangeRecords.Instrument) -> MatchingEngine.Instrument {
        MatchingEngine.Instrument(
            symbol: record.symbol, name: record.name, exchange: record.exchange, tickSize: Price(micros: record.tickSize.micros),
            lotSize: record.lotSize, referencePrice: Price(micros: record.lastPrice.micros),
            priceBand: PriceBand(lower: Price(micros: record.priceBandLow.micros), upper: Price(micros: record.priceBandHigh.micros)),
            maxOrderQuantity: record.maxOrderQuantity)
    }

    /// The `instruments` record of an engine instrument (a catalogue entry): an unbanded one gets the widest band on
    /// its grid, from one tick up.
    public static func instrumentRecord(_ instrument: MatchingEngine.Instrument, status: InstrumentStatus = .trading) -> ExchangeRecords.Instrument {
        let tick = instrument.tickSize.micros
        let band = instrument.priceBand ?? PriceBand(lower: instrument.tickSize, upper: Price(micros: Int64.max / tick * tick))
        return ExchangeRecords.Instrument(
            symbol: instrument.symbol, name: instrument.name, exchange: instrument.exchange, tickSize: FixedDecimal(micros: tick),
            lotSize: instrument.lotSize, lastPrice: FixedDecimal(micros: instrument.referencePrice.micros),
            priceBandLow: FixedDecimal(micros: band.lower.micros), priceBandHigh: FixedDecimal(micros: band.upper.micros),
            maxOrderQuantity: instrument.maxOrderQuantity, status: status)
    }

    /// The `matched_trades` record of a trade.
    public static func matchedTrade(_ trade: Trade, engine: Engine, tradeId: String, seq: Int64) -> MatchedTrade {
        MatchedTrade(
            tradeId: tradeId, buyOrderId: engine.orderId(trade.buyOrder), sellOrderId: engine.orderId(trade.sellOrder),
            buyStockSymbol: engine.symbol(trade.symbol), price: FixedDecimal(micros: trade.price.micros),
            buyPrice: trade.buyPrice.map { FixedDecimal(micros: $0.micros) },
            sellPrice: trade.sellPrice.map { FixedDecimal(micros: $0.micros) }, quantity: trade.quantity,
            buyTraderId: engine.traderId(trade.buyTrader), sellTraderId: engine.traderId(trade.sellTrader),
            aggressorSide: trade.aggressor == .buy ? .buy : .sell, tradeTime: trade.time, seq: seq)
    }

    /// The `execution_reports` record of a report; with `terms` (from `process`) when the report is about that order.
    public static func executionReport(
        _ report: MatchingEngine.ExecutionReport, engine: Engine, tradeId: String?, seq: Int64, terms: OrderTerms?
    ) -> ExchangeRecords.ExecutionReport {
        // A duplicate id's refusal names the order that has the id, whose terms these are not.
        let terms = terms?.order == report.order && report.reason != .duplicateOrderId ? terms : nil
        return ExchangeRecords.ExecutionReport(
            orderId: engine.orderId(report.order), clientOrderId: terms?.clientOrderId, traderId: engine.traderId(report.trader),
            symbol: engine.symbol(report.symbol), side: report.side, orderType: terms?.orderType,
            timeInForce: terms?.timeInForce, validityTTL: terms?.validityTTL, expireAt: terms?.expireAt, status: report.status,
            reason: report.reason.map(reasonText), price: report.price.map { FixedDecimal(micros: $0.micros) },
            // A rejected request echoes what was asked; the wire record holds non-negative quantities only.
            quantity: max(0, report.quantity), filledQuantity: report.filledQuantity, leavesQuantity: report.leavesQuantity,
            lastPrice: report.lastQuantity > 0 ? report.lastPrice.map { FixedDecimal(micros: $0.micros) } : nil,
            lastQuantity: report.lastQuantity > 0 ? report.lastQuantity : nil, tradeId: report.lastQuantity > 0 ? tradeId : nil,
            seq: seq, orderTimestamp: terms?.orderTimestamp, timestamp: report.timestamp)
    }

    /// `"OFF_TICK: price is not a multiple of the instrument's tick size"`: a stable code a program can match,
    /// then the sentence a person reads.
    public static func reasonText(_ reason: Reason) -> String { "\(reason.code): \(reason.message)" }
}
