import ExchangeRecords
import Hummingbird

/// Kite's funds and positions, computed from the trader's fills (`PositionTally`), the open orders and the
/// configured opening cash (`KiteSettings.startingCashMicros`). The account is a plain cash account in the
/// instruments' currency: buying spends cash, selling (short selling included) brings it in, open orders block what
/// they may spend, there is no leverage, no charges and no overnight carry (every position is a day position).
extension Gateway {
    func kitePositionRows(trader: String) -> [(row: JSONValue, realised: Int64, unrealised: Int64)] {
        let tokens = kiteTokens
        return readModel.positionTallies(trader: trader).sorted { $0.key < $1.key }.compactMap { symbol, tally in
            guard let entry = tokens.bySymbol[symbol] else { return nil }
            let p = KitePosition(tally: tally, lastPriceMicros: readModel.lastPrice(symbol) ?? entry.rules.referencePriceMicros,
                                 closeMicros: readModel.symbolState(symbol).previousClose ?? entry.rules.referencePriceMicros)
            return (p.row(entry), p.realised, p.unrealised)
        }
    }

    /// `GET /portfolio/positions`: `net` and `day`, the same rows (no overnight positions here).
    func kitePositions(_ context: GatewayRequestContext) throws -> Response {
        let rows = kitePositionRows(trader: try context.requireTrader().id).map(\.row)
        return Response.kite(.object([("net", .array(rows)), ("day", .array(rows))]))
    }

    /// `GET /user/margins[/:segment]`: `equity` carries the account, `commodity` is empty (no commodities listed).
    func kiteMargins(_ context: GatewayRequestContext, segment: String?) throws -> Response {
        let trader = try context.requireTrader().id
        let rows = kitePositionRows(trader: trader)
        let tallies = readModel.positionTallies(trader: trader).values
        let spent = tallies.reduce(Int64(0)) { $0.addingSaturated($1.buyValueMicros).subtractingSaturated($1.sellValueMicros) }
        let blocked = readModel.exposure(trader: trader).openNotionalMicros.values.reduce(Int64(0)) { $0.addingSaturated($1) }
        let realised = rows.reduce(Int64(0)) { $0.addingSaturated($1.realised) }
        let unrealised = rows.reduce(Int64(0)) { $0.addingSaturated($1.unrealised) }
        let opening = configuration.kite.startingCashMicros
        let equity = KiteMargins(opening: opening, spent: spent, blocked: blocked, realised: realised, unrealised: unrealised).view
        let commodity = KiteMargins(opening: 0, spent: 0, blocked: 0, realised: 0, unrealised: 0).view
        switch segment {
        case nil: return Response.kite(.object([("equity", equity), ("commodity", commodity)]))
        case "equity"?: return Response.kite(equity)
        case "commodity"?: return Response.kite(commodity)
        case let other?: throw APIError.input("segment", "'\(other)' is not equity or commodity")
        }
    }
}

/// One position: what was bought and sold of a symbol, marked at its last price.
struct KitePosition {
    let tally: PositionTally
    let lastPriceMicros: Int64
    let closeMicros: Int64

    var buyPrice: Int64 { tally.buyQuantity > 0 ? tally.buyValueMicros / tally.buyQuantity : 0 }
    var sellPrice: Int64 { tally.sellQuantity > 0 ? tally.sellValueMicros / tally.sellQuantity : 0 }
    /// Sell value − buy value: the cash the position brought in so far.
    var value: Int64 { tally.sellValueMicros.subtractingSaturated(tally.buyValueMicros) }
    /// value + the open quantity at the last price.
    var pnl: Int64 { value.addingSaturated(ReadModel.notional(priceMicros: lastPriceMicros, quantity: tally.netQuantity)) }
    /// The closed quantity's gain: min(bought, sold) × (sell price − buy price).
    var realised: Int64 {
        let closed = min(tally.buyQuantity, tally.sellQuantity)
        return closed == 0 ? 0 : ReadModel.notional(priceMicros: sellPrice - buyPrice, quantity: closed)
    }
    var unrealised: Int64 { pnl.subtractingSaturated(realised) }
    /// The open quantity's entry price: the buy price when long, the sell price when short.
    var averagePrice: Int64 { tally.netQuantity > 0 ? buyPrice : tally.netQuantity < 0 ? sellPrice : 0 }

    func row(_ entry: KiteInstrumentTokens.Entry) -> JSONValue {
        .object([
            ("tradingsymbol", .string(entry.rules.symbol)), ("exchange", .string(entry.rules.exchange)),
            ("instrument_token", .int(entry.token)), ("product", .string("CNC")),
            ("quantity", .int(tally.netQuantity)), ("overnight_quantity", .int(0)), ("multiplier", .int(1)),
            ("average_price", .micros(averagePrice)), ("close_price", .micros(closeMicros)), ("last_price", .micros(lastPriceMicros)),
            ("value", .micros(value)), ("pnl", .micros(pnl)), ("m2m", .micros(pnl)),
            ("unrealised", .micros(unrealised)), ("realised", .micros(realised)),
            ("buy_quantity", .int(tally.buyQuantity)), ("buy_price", .micros(buyPrice)), ("buy_value", .micros(tally.buyValueMicros)),
            ("buy_m2m", .micros(tally.buyValueMicros)),
            ("sell_quantity", .int(tally.sellQuantity)), ("sell_price", .micros(sellPrice)), ("sell_value", .micros(tally.sellValueMicros)),
            ("sell_m2m", .micros(tally.sellValueMicros)),
            ("day_buy_quantity", .int(tally.buyQuantity)), ("day_buy_price", .micros(buyPrice)), ("day_buy_value", .micros(tally.buyValueMicros)),
            ("day_sell_quantity", .int(tally.sellQuantity)), ("day_sell_price", .micros(sellPrice)),
            ("day_sell_value", .micros(tally.sellValueMicros)),
        ])
    }
}

/// A segment of `GET /user/margins`.
struct KiteMargins {
    let opening: Int64
    /// Buy value − sell value of all fills.
    let spent: Int64
    /// Open orders' quantity × limit price.
    let blocked: Int64
    let realised: Int64
    let unrealised: Int64

    /// What is left to trade with: the opening cash, less what fills spent and open orders block.
    var net: Int64 { opening.subtractingSaturated(spent).subtractingSaturated(blocked) }

    var view: JSONValue {
        .object([
            ("enabled", .bool(true)), ("net", .micros(net)),
            ("available", .object([
                ("adhoc_margin", .int(0)), ("cash", .micros(opening)), ("opening_balance", .micros(opening)),
                ("live_balance", .micros(net)), ("collateral", .int(0)), ("intraday_payin", .int(0)),
            ])),
            ("utilised", .object([
                ("debits", .micros(spent.addingSaturated(blocked))), ("exposure", .micros(blocked)),
                ("m2m_realised", .micros(realised)), ("m2m_unrealised", .micros(unrealised)), ("option_premium", .int(0)),
                ("payout", .int(0)), ("span", .int(0)), ("holding_sales", .int(0)), ("turnover", .int(0)),
                ("liquid_collateral", .int(0)), ("stock_collateral", .int(0)), ("delivery", .int(0)),
            ])),
        ])
    }
}
