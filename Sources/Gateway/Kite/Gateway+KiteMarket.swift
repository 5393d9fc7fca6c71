import ExchangeRecords
import History
import Hummingbird
import NIOCore

/// Kite's market data routes: the instruments CSV, quotes, and candles from the history store.
extension Gateway {
    static let kiteInstrumentColumns =
        "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange"

    /// `GET /instruments[/:exchange]`: Kite's CSV of the listed instruments (halted ones included, as Kite lists
    /// suspended scrips), `last_price` the latest trade or the reference price.
    func kiteInstruments(exchange: String?) -> Response {
        var text = Gateway.kiteInstrumentColumns + "\n"
        for entry in kiteTokens.entries where exchange == nil || entry.rules.exchange == exchange {
            let r = entry.rules
            let fields = [
                String(entry.token), String(entry.exchangeToken), KiteFormat.csvField(r.symbol), KiteFormat.csvField(r.name),
                JSONValue.decimal(readModel.lastPrice(r.symbol) ?? r.referencePriceMicros), "", "0",
                JSONValue.decimal(r.tickSizeMicros), String(r.lotSize), "EQ", KiteFormat.csvField(r.exchange),
                KiteFormat.csvField(r.exchange),
            ]
            text += fields.joined(separator: ",") + "\n"
        }
        let buffer = ByteBuffer(string: text)
        return Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentLength: String(buffer.readableBytes)],
            body: .init(byteBuffer: buffer))
    }

    enum KiteQuoteMode { case full, ohlc, ltp }

    /// `GET /quote`, `/quote/ohlc`, `/quote/ltp` with `i=EXCHANGE:SYMBOL` (or a token), repeatable. Unknown
    /// instruments are left out of the answer, as Kite does.
    func kiteQuote(_ request: Request, _ mode: KiteQuoteMode) throws -> Response {
        let keys = try KiteForm(Array((request.uri.query ?? "").utf8)).all("i")
        guard !keys.isEmpty else { throw APIError.input("i", "give at least one instrument as i=EXCHANGE:SYMBOL") }
        let tokens = kiteTokens
        var members: [(String, JSONValue)] = []
        for key in keys {
            guard let entry = tokens.resolve(key), !members.contains(where: { $0.0 == key }) else { continue }
            let quote = KiteQuote(entry: entry, symbol: readModel.symbolState(entry.rules.symbol))
            switch mode {
            case .full: members.append((key, quote.full(now: Gateway.nowMillis())))
            case .ohlc: members.append((key, quote.ohlcView))
            case .ltp: members.append((key, quote.ltpView))
            }
        }
        return Response.kite(.object(members))
    }

    /// `GET /instruments/historical/:instrument_token/:interval?from=…&to=…`: candles from the history store,
    /// `[time, open, high, low, close, volume]` each, the interval's candles that start in from…to.
    func kiteHistorical(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let tokenText = context.parameters.get("token") ?? ""
        guard let token = Int64(tokenText), let entry = kiteTokens.byToken[token] else {
            throw APIError.input("instrument_token", "unknown instrument token '\(tokenText)'")
        }
        let intervalText = context.parameters.get("interval") ?? ""
        guard let interval = CandleInterval(rawValue: intervalText) else {
            throw APIError.input("interval", "'\(intervalText)' is not supported by this exchange; use one of \(Gateway.intervalNames)")
        }
        let query = try KiteForm(Array((request.uri.query ?? "").utf8))
        guard let fromText = query["from"], let from = KiteFormat.parseTime(fromText) else {
            throw APIError.input("from", "required: yyyy-mm-dd or yyyy-mm-dd hh:mm:ss (UTC)")
        }
        guard let toText = query["to"], var to = KiteFormat.parseTime(toText) else {
            throw APIError.input("to", "required: yyyy-mm-dd or yyyy-mm-dd hh:mm:ss (UTC)")
        }
        // Kite's `to` includes its last second (a date alone: the whole day).
        to += toText.utf8.count == 10 ? 86_400_000 : 1000
        guard to > from else { throw APIError.input("to", "must not be before from") }
        guard to - from <= interval.maximumRange else {
            throw APIError.input("to", "the range from..to may be at most \(interval.maximumRange / 86_400_000) days for interval \(interval.rawValue)")
        }
        if query["continuous"] == "1" { throw KiteOrderTerms.unsupported("continuous", "continuous data is for futures, which this exchange does not list") }
        let withOI = query["oi"] == "1"
        let candles = try await historyReader().candles(symbol: entry.rules.symbol, interval: interval, from: from, to: to)
        return Response.kite(.object([
            ("candles", .array(candles.map { c in
                var row: [JSONValue] = [
                    .string(KiteFormat.candleTime(c.start)), .micros(c.open), .micros(c.high), .micros(c.low), .micros(c.close), .int(c.volume),
                ]
                if withOI { row.append(.int(0)) }
                return .array(row)
            })),
        ]))
    }
}

/// One instrument's quote in Kite's shapes, from the read model's state of its symbol.
struct KiteQuote {
    let entry: KiteInstrumentTokens.Entry
    let symbol: ReadModel.SymbolState

    /// The last trade's price, or the reference price before the first.
    var lastPrice: Int64 { symbol.lastPrice ?? entry.rules.referencePriceMicros }
    var close: Int64 { symbol.previousClose ?? entry.rules.referencePriceMicros }
    var open: Int64 { symbol.open ?? 0 }
    var high: Int64 { symbol.high ?? 0 }
    var low: Int64 { symbol.low ?? 0 }
    var averagePrice: Int64 { symbol.volume > 0 ? symbol.turnover / symbol.volume : 0 }
    var buyQuantity: Int64 { symbol.bids.values.reduce(0) { $0 + $1.quantity } }
    var sellQuantity: Int64 { symbol.asks.values.reduce(0) { $0 + $1.quantity } }

    /// Five levels a side, best first, empty levels zero (as Kite pads them).
    var depth: (buy: [(price: Int64, quantity: Int64, orders: Int)], sell: [(price: Int64, quantity: Int64, orders: Int)]) {
        func levels(_ book: [Int64: ReadModel.Level], descending: Bool) -> [(price: Int64, quantity: Int64, orders: Int)] {
            var out = book.sorted { descending ? $0.key > $1.key : $0.key < $1.key }.prefix(5).map { ($0.key, $0.value.quantity, $0.value.orders) }
            while out.count < 5 { out.append((0, 0, 0)) }
            return out
        }
        return (levels(symbol.bids, descending: true), levels(symbol.asks, descending: false))
    }

    var ohlc: JSONValue { .object([("open", .micros(open)), ("high", .micros(high)), ("low", .micros(low)), ("close", .micros(close))]) }
    var ltpView: JSONValue { .object([("instrument_token", .int(entry.token)), ("last_price", .micros(lastPrice))]) }
    var ohlcView: JSONValue { .object([("instrument_token", .int(entry.token)), ("last_price", .micros(lastPrice)), ("ohlc", ohlc)]) }

    func full(now: Int64) -> JSONValue {
        func side(_ levels: [(price: Int64, quantity: Int64, orders: Int)]) -> JSONValue {
            .array(levels.map { .object([("price", .micros($0.price)), ("quantity", .int($0.quantity)), ("orders", .int($0.orders))]) })
        }
        let book = depth
        return .object([
            ("instrument_token", .int(entry.token)), ("timestamp", .string(KiteFormat.timestamp(now))),
            ("last_trade_time", symbol.lastTradeTime.map { .string(KiteFormat.timestamp($0)) } ?? .null),
            ("last_price", .micros(lastPrice)), ("last_quantity", .int(symbol.lastQuantity ?? 0)),
            ("buy_quantity", .int(buyQuantity)), ("sell_quantity", .int(sellQuantity)), ("volume", .int(symbol.volume)),
            ("average_price", .micros(averagePrice)), ("oi", .int(0)), ("oi_day_high", .int(0)), ("oi_day_low", .int(0)),
            ("net_change", .micros(lastPrice - close)),
            ("lower_circuit_limit", .micros(entry.rules.lowerBandMicros)), ("upper_circuit_limit", .micros(entry.rules.upperBandMicros)),
            ("ohlc", ohlc), ("depth", .object([("buy", side(book.buy)), ("sell", side(book.sell))])),
        ])
    }
}
