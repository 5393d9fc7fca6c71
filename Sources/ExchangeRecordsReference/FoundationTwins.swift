public import ExchangeRecords
public import Foundation

/// Foundation `Codable` twins of the records (same JSON field names, `Decimal` for decimals): the reference the
/// byte-level codecs are checked against.
public protocol FoundationTwin: Codable, Equatable {
    associatedtype Record: JSONRecord
    init(_ record: Record)
}

public func decimal(_ value: FixedDecimal) -> Decimal {
    Decimal(sign: value.micros < 0 ? .minus : .plus, exponent: -6, significand: Decimal(value.micros.magnitude))
}

public func decimal(_ value: FixedDecimal?) -> Decimal? {
    value.map { decimal($0) }
}

public struct RefOrder: FoundationTwin {
    public var type: String?
    public var order_id, client_order_id, trader_id, stock_symbol, side, order_type: String?
    public var price: Decimal?
    public var quantity: Int64?
    public var time_in_force: String?
    public var validity_ttl: Int64?
    public var expire_at: Int64?
    public var timestamp: Int64
    public var action: String?
    public var instrument: RefInstrument?
    public var reason: String?

    public init(_ record: IncomingOrder) {
        timestamp = record.timestamp
        switch record {
        case .new(let o):
            (order_id, client_order_id, trader_id, stock_symbol) = (o.orderId, o.clientOrderId, o.traderId, o.stockSymbol)
            (side, order_type, price, quantity) = (o.side.rawValue, o.orderType.rawValue, decimal(o.price), o.quantity)
            (time_in_force, validity_ttl, expire_at) = (o.timeInForce.rawValue, o.validityTTL, o.expireAt)
        case .cancel(let o):
            type = "CANCEL"
            (order_id, trader_id, stock_symbol, side) = (o.orderId, o.traderId, o.stockSymbol, o.side.rawValue)
        case .modify(let o):
            type = "MODIFY"
            (order_id, trader_id, stock_symbol, side) = (o.orderId, o.traderId, o.stockSymbol, o.side.rawValue)
            (price, quantity) = (decimal(o.price), o.quantity)
        case .tick:
            type = "TICK"
        case .instrument(let c):
            type = "INSTRUMENT"
            (action, stock_symbol, instrument, reason) = (c.action.rawValue, c.stockSymbol, c.instrument.map(RefInstrument.init), c.reason)
        }
    }

    /// `"type":"NEW"` and an absent type mean the same.
    public static func == (a: RefOrder, b: RefOrder) -> Bool {
        var a = a, b = b
        if a.type == "NEW" { a.type = nil }
        if b.type == "NEW" { b.type = nil }
        return a.order_id == b.order_id && a.client_order_id == b.client_order_id && a.trader_id == b.trader_id
            && a.stock_symbol == b.stock_symbol && a.side == b.side && a.order_type == b.order_type
            && a.price == b.price && a.quantity == b.quantity && a.time_in_force == b.time_in_force
            && a.validity_ttl == b.validity_ttl && a.expire_at == b.expire_at && a.timestamp == b.timestamp && a.type == b.type
            && a.action == b.action && a.instrument == b.instrument && a.reason == b.reason
    }
}

public struct RefSequenced: FoundationTwin {
    public var seq: Int64
    public var source_offset: Int64?
    public var order: RefOrder

    public init(_ record: SequencedOrder) {
        (seq, source_offset, order) = (record.seq, record.sourceOffset, RefOrder(record.order))
    }

    private enum Keys: String, CodingKey { case seq, source_offset }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        seq = try c.decode(Int64.self, forKey: .seq)
        source_offset = try c.decodeIfPresent(Int64.self, forKey: .source_offset)
        order = try RefOrder(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(seq, forKey: .seq)
        try c.encodeIfPresent(source_offset, forKey: .source_offset)
        try order.encode(to: encoder)
    }
}

public struct RefTrade: FoundationTwin {
    public var TRADE_ID, BUY_ORDER_ID, SELL_ORDER_ID, BUY_STOCK_SYMBOL: String
    public var PRICE: Decimal
    public var BUY_PRICE, SELL_PRICE: Decimal?
    public var QUANTITY: Int64
    public var BUY_TRADER_ID, SELL_TRADER_ID: String?
    public var AGGRESSOR_SIDE: String
    public var TRADE_TIME, SEQ: Int64

    public init(_ t: MatchedTrade) {
        (TRADE_ID, BUY_ORDER_ID, SELL_ORDER_ID, BUY_STOCK_SYMBOL) = (t.tradeId, t.buyOrderId, t.sellOrderId, t.buyStockSymbol)
        (PRICE, BUY_PRICE, SELL_PRICE, QUANTITY) = (decimal(t.price), decimal(t.buyPrice), decimal(t.sellPrice), t.quantity)
        (BUY_TRADER_ID, SELL_TRADER_ID, AGGRESSOR_SIDE) = (t.buyTraderId, t.sellTraderId, t.aggressorSide.rawValue)
        (TRADE_TIME, SEQ) = (t.tradeTime, t.seq)
    }
}

public struct RefReport: FoundationTwin {
    public var order_id: String
    public var client_order_id: String?
    public var trader_id: String?
    public var symbol, side: String
    public var order_type, time_in_force: String?
    public var validity_ttl, expire_at: Int64?
    public var status: String
    public var reason: String?
    public var price: Decimal?
    public var quantity, filled_quantity, leaves_quantity: Int64
    public var last_price: Decimal?
    public var last_quantity: Int64?
    public var trade_id: String?
    public var seq: Int64
    public var order_timestamp: Int64?
    public var timestamp: Int64

    public init(_ r: ExecutionReport) {
        (order_id, client_order_id, trader_id, symbol) = (r.orderId, r.clientOrderId, r.traderId, r.symbol)
        (order_type, time_in_force, validity_ttl) = (r.orderType?.rawValue, r.timeInForce?.rawValue, r.validityTTL)
        (order_timestamp, expire_at) = (r.orderTimestamp, r.expireAt)
        (side, status, reason, price) = (r.side.rawValue, r.status.rawValue, r.reason, decimal(r.price))
        (quantity, filled_quantity, leaves_quantity) = (r.quantity, r.filledQuantity, r.leavesQuantity)
        (last_price, last_quantity, trade_id, seq, timestamp) = (decimal(r.lastPrice), r.lastQuantity, r.tradeId, r.seq, r.timestamp)
    }
}

public struct RefSMA: FoundationTwin {
    public var STOCK_SYMBOL: String
    public var SMA: Decimal
    public var WINDOW_START, WINDOW_END, COUNT: Int64
    public var VWAP: Decimal

    public init(_ s: SimpleMovingAverage) {
        (STOCK_SYMBOL, SMA, WINDOW_START, WINDOW_END) = (s.stockSymbol, decimal(s.sma), s.windowStart, s.windowEnd)
        (COUNT, VWAP) = (s.count, decimal(s.vwap))
    }
}

public struct RefProfit: FoundationTwin {
    public var STOCK_SYMBOL: String
    public var WINDOW_START, WINDOW_END: Int64
    public var OPEN, HIGH, LOW, CLOSE, PROFIT, PROFIT_PCT: Decimal
    public var TRADES, VOLUME: Int64

    public init(_ p: StockProfit) {
        (STOCK_SYMBOL, WINDOW_START, WINDOW_END) = (p.stockSymbol, p.windowStart, p.windowEnd)
        (OPEN, HIGH, LOW, CLOSE) = (decimal(p.open), decimal(p.high), decimal(p.low), decimal(p.close))
        (PROFIT, PROFIT_PCT, TRADES, VOLUME) = (decimal(p.profit), decimal(p.profitPct), p.trades, p.volume)
    }
}

public struct RefTop: FoundationTwin {
    public struct Entry: Codable, Equatable {
        public var STOCK_SYMBOL: String
        public var PROFIT, PROFIT_PCT: Decimal
    }

    public var WINDOW_START, WINDOW_END: Int64
    public var STOCK_SYMBOL: String
    public var PROFIT, PROFIT_PCT: Decimal
    public var RANKING: [Entry]

    public init(_ t: TopProfit) {
        (WINDOW_START, WINDOW_END, STOCK_SYMBOL) = (t.windowStart, t.windowEnd, t.stockSymbol)
        (PROFIT, PROFIT_PCT) = (decimal(t.profit), decimal(t.profitPct))
        RANKING = t.ranking.map {
            Entry(STOCK_SYMBOL: $0.stockSymbol, PROFIT: decimal($0.profit), PROFIT_PCT: decimal($0.profitPct))
        }
    }
}

public struct RefInstrument: FoundationTwin {
    public var symbol, name, exchange: String
    public var tick_size: Decimal
    public var lot_size: Int64
    public var last_price, price_band_low, price_band_high: Decimal
    public var max_order_quantity: Int64?
    /// Absent for TRADING, as the encoder writes it.
    public var status: String?
    public var halt_reason: String?

    public init(_ i: Instrument) {
        (symbol, name, exchange, tick_size, lot_size) = (i.symbol, i.name, i.exchange, decimal(i.tickSize), i.lotSize)
        (last_price, price_band_low, price_band_high) = (decimal(i.lastPrice), decimal(i.priceBandLow), decimal(i.priceBandHigh))
        max_order_quantity = i.maxOrderQuantity
        status = i.status == .trading ? nil : i.status.rawValue
        halt_reason = i.haltReason
    }
}

public struct RefDeadLetter: FoundationTwin {
    public var source_topic: String
    public var source_partition: Int32
    public var source_offset: Int64
    public var payload, payload_encoding, reason, stage: String
    public var timestamp: Int64

    public init(_ d: DeadLetter) {
        (source_topic, source_partition, source_offset) = (d.sourceTopic, d.sourcePartition, d.sourceOffset)
        (payload, payload_encoding, reason, stage, timestamp) = (d.payload, d.payloadEncoding.rawValue, d.reason, d.stage, d.timestamp)
    }
}
