import ExchangeRecords
import History
import Hummingbird

/// `GET /history/{symbol}` (Kite-style candles), `GET /history/{symbol}/trades` (a page of trades) and the stored
/// analytics windows (`/history/{symbol}/sma`, `/history/{symbol}/profit`, `/top-profit/history`), answered from the
/// history database the history stage fills.
extension Gateway {
    /// The latest instant a `from`/`to` may name (2100-01-01T00:00:00Z): beyond any trade, and far from overflow.
    static let latestHistoryTime: Int64 = 4_102_444_800_000
    static let defaultTradePage = 100
    static let maximumTradePage = 1_000

    func historyReader() throws(APIError) -> any HistoryReader {
        guard let history else {
            throw APIError(
                status: .serviceUnavailable, errorType: "GeneralException",
                message: "history is not configured on this gateway (start it with --history-db)")
        }
        return history
    }

    func getCandles(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let symbol = try knownSymbol(context).symbol
        let query = request.uri.queryParameters
        guard let intervalText = query.get("interval") else {
            throw APIError.input("interval", "required: one of \(Self.intervalNames)")
        }
        guard let interval = CandleInterval(rawValue: intervalText) else {
            throw APIError.input("interval", "must be one of \(Self.intervalNames)")
        }
        guard let from = try Self.time(query.get("from"), "from") else { throw APIError.input("from", "required: epoch milliseconds") }
        guard let to = try Self.time(query.get("to"), "to") else { throw APIError.input("to", "required: epoch milliseconds") }
        guard to > from else { throw APIError.input("to", "must be after from") }
        guard to - from <= interval.maximumRange else {
            throw APIError.input("to", "the range from..to may be at most \(interval.maximumRange / 86_400_000) days for interval \(interval.rawValue)")
        }
        let candles = try await historyReader().candles(symbol: symbol, interval: interval, from: from, to: to)
        return Response.success(.object([
            ("symbol", .string(symbol)), ("interval", .string(interval.rawValue)),
            ("candles", Self.candleRows(candles)),
        ]))
    }

    /// Kite's candle rows: `[[timestamp, open, high, low, close, volume], …]`.
    static func candleRows(_ candles: [Candle]) -> JSONValue {
        .array(candles.map { c in
            .array([.int(c.start), .micros(c.open), .micros(c.high), .micros(c.low), .micros(c.close), .int(c.volume)])
        })
    }

    func getHistoricalTrades(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let symbol = try knownSymbol(context).symbol
        let query = request.uri.queryParameters
        let from = try Self.time(query.get("from"), "from") ?? 0
        let to = try Self.time(query.get("to"), "to") ?? Self.latestHistoryTime
        guard to > from else { throw APIError.input("to", "must be after from") }
        var limit = Self.defaultTradePage
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.maximumTradePage).contains(value) else {
                throw APIError.input("limit", "must be an integer from 1 to \(Self.maximumTradePage)")
            }
            limit = value
        }
        var cursor: TradeCursor?
        if let text = query.get("cursor") {
            guard let value = TradeCursor(text) else {
                throw APIError.input("cursor", "must be a next_cursor this endpoint returned")
            }
            cursor = value
        }
        let trades = try await historyReader().trades(symbol: symbol, from: from, to: to, after: cursor, limit: limit)
        let next: JSONValue = trades.count == limit ? (trades.last.map { .string($0.cursor.description) } ?? .null) : .null
        return Response.success(.object([
            ("symbol", .string(symbol)),
            ("trades", .array(trades.map { t in
                .object([
                    ("trade_id", .string(t.tradeId)), ("price", .micros(t.priceMicros)), ("quantity", .int(t.quantity)),
                    ("buy_order_id", .string(t.buyOrderId)), ("sell_order_id", .string(t.sellOrderId)),
                    ("aggressor_side", .string(t.aggressorSide)), ("trade_time", .int(t.tradeTime)),
                ])
            })),
            ("next_cursor", next),
        ]))
    }

    /// The longest `from`..`to` of the analytics windows' routes: a week of 30-second hops is about 20,000 rows.
    static let maximumAnalyticsRange: Int64 = 7 * 86_400_000

    func getHistoricalMovingAverages(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let symbol = try knownSymbol(context).symbol
        let (from, to) = try Self.analyticsRange(request)
        let windows = try await historyReader().movingAverages(symbol: symbol, from: from, to: to)
        return Response.success(.object([("symbol", .string(symbol)), ("windows", .array(try windows.map(Self.json)))]))
    }

    func getHistoricalProfits(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let symbol = try knownSymbol(context).symbol
        let (from, to) = try Self.analyticsRange(request)
        let windows = try await historyReader().profits(symbol: symbol, from: from, to: to)
        return Response.success(.object([("symbol", .string(symbol)), ("windows", .array(try windows.map(Self.json)))]))
    }

    func getHistoricalTopProfits(_ request: Request) async throws -> Response {
        let (from, to) = try Self.analyticsRange(request)
        let windows = try await historyReader().topProfits(from: from, to: to)
        return Response.success(.object([("windows", .array(try windows.map(Self.json)))]))
    }

    /// The required `from` and `to` of a windows route: window starts in `[from, to)`, at most a week.
    static func analyticsRange(_ request: Request) throws(APIError) -> (Int64, Int64) {
        let query = request.uri.queryParameters
        guard let from = try time(query.get("from"), "from") else { throw APIError.input("from", "required: epoch milliseconds") }
        guard let to = try time(query.get("to"), "to") else { throw APIError.input("to", "required: epoch milliseconds") }
        guard to > from else { throw APIError.input("to", "must be after from") }
        guard to - from <= maximumAnalyticsRange else {
            throw APIError.input("to", "the range from..to may be at most \(maximumAnalyticsRange / 86_400_000) days")
        }
        return (from, to)
    }

    /// A window as its topic carries it (the fields the live `/sma`, `/profit` and `/top-profit` routes show).
    static func json(_ record: some JSONRecord) throws -> JSONValue { try JSONValue.parse(record.encoded()) }

    static let intervalNames = CandleInterval.allCases.map(\.rawValue).joined(separator: ", ")

    /// An optional epoch-milliseconds parameter.
    static func time(_ text: String?, _ name: String) throws(APIError) -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text), (0...latestHistoryTime).contains(value) else {
            throw APIError.input(name, "must be epoch milliseconds from 0 to \(latestHistoryTime)")
        }
        return value
    }
}
