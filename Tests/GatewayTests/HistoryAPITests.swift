import ExchangeRecords
import Foundation
import Gateway
import History
import HistoryStore
import HummingbirdTesting
import Testing

/// A history database in a temporary file with AAPL trades over three minutes from 2023-11-14T22:13:00Z.
func sampleHistory() async throws -> SQLiteHistoryDatabase {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-history-\(UUID().uuidString).sqlite").path
    let database = try SQLiteHistoryDatabase(path: path)
    var trades: [HistoryTrade] = []
    for i in 0..<30 {
        let index = Int64(i)
        let price: Int64 = 160_000_000 + (index % 7) * 250_000
        trades.append(HistoryTrade(
            tradeId: "t-\(i)", symbol: "AAPL", tradeTime: HistorySample.start + index * 6_000, seq: index + 1,
            priceMicros: price, quantity: 10 + index, buyOrderId: "b-\(i)", sellOrderId: "s-\(i)",
            aggressorSide: i.isMultiple(of: 2) ? "BUY" : "SELL"))
    }
    // Two SMA and profit windows of AAPL (the first updated once) and a ranking of each.
    var analytics = AnalyticsBatch()
    for (i, start) in [HistorySample.start, HistorySample.start, HistorySample.start + 30_000].enumerated() {
        let price = FixedDecimal(micros: 160_000_000 + Int64(i) * 500_000)
        analytics.movingAverages.append(
            SimpleMovingAverage(stockSymbol: "AAPL", sma: price, windowStart: start, windowEnd: start + 60_000, count: Int64(i + 1), vwap: price))
        analytics.profits.append(
            StockProfit(
                stockSymbol: "AAPL", windowStart: start, windowEnd: start + 30_000, open: 160, high: price, low: 160, close: price,
                profit: FixedDecimal(micros: price.micros - 160_000_000), profitPct: FixedDecimal(micros: Int64(i) * 312_500),
                trades: Int64(i + 1), volume: 10))
        analytics.topProfits.append(
            TopProfit(
                windowStart: start, windowEnd: start + 30_000, stockSymbol: "AAPL", profit: FixedDecimal(micros: price.micros - 160_000_000),
                profitPct: FixedDecimal(micros: Int64(i) * 312_500),
                ranking: [ProfitRankingEntry(stockSymbol: "AAPL", profit: FixedDecimal(micros: price.micros - 160_000_000), profitPct: FixedDecimal(micros: Int64(i) * 312_500))]))
    }
    try await database.append(trades, analytics: analytics, positions: [])
    return database
}

enum HistorySample {
    /// 2023-11-14T22:13:00Z.
    static let start: Int64 = 1_699_999_980_000
}

@Suite(.timeLimit(.minutes(2))) struct HistoryAPITests {
    @Test func candlesAreKiteArraysPerInterval() async throws {
        let history = try await sampleHistory()
        let gateway = makeGateway(history: history)
        let from = HistorySample.start, to = HistorySample.start + 3_600_000
        try await gateway.application().test(.router) { client in
            let minute = try await client.send(.get, "/v1/history/AAPL?interval=minute&from=\(from)&to=\(to)")
            #expect(minute.status == .ok)
            guard case .array(let candles)? = minute.data["candles"] else { Issue.record("no candles"); return }
            // 30 trades 6 s apart: 10 a minute.
            #expect(candles.count == 3)
            #expect(candles.first == .array([
                .number(String(from)), .number("160"), .number("161.5"), .number("160"), .number("160.5"), .number("145"),
            ]))
            let hour = try await client.send(.get, "/v1/history/AAPL?interval=60minute&from=\(from)&to=\(to)")
            guard case .array(let hours)? = hour.data["candles"] else { Issue.record("no candles"); return }
            #expect(hours.count == 1)
            // The hour holding the first trade starts at 22:00.
            guard case .array(let hourCandle)? = hours.first else { Issue.record("no hour candle"); return }
            #expect(hourCandle.first == .number(String(CandleInterval.sixtyMinute.start(of: from))))
            #expect(hourCandle.last == .number(String((10..<40).reduce(0, +))))
        }
    }

    @Test func tradesArePagedWithACursor() async throws {
        let gateway = makeGateway(history: try await sampleHistory())
        try await gateway.application().test(.router) { client in
            var ids: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.send(.get, "/v1/history/AAPL/trades?limit=7" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                guard case .array(let trades)? = page.data["trades"] else { Issue.record("no trades"); return }
                for trade in trades { if case .string(let id)? = trade["trade_id"] { ids.append(id) } }
                if case .string(let next)? = page.data["next_cursor"] { cursor = next } else { cursor = nil }
            } while cursor != nil && ids.count < 100
            #expect(ids == (0..<30).map { "t-\($0)" })
        }
    }

    @Test func analyticsWindowsAreTheLastRecordOfEachWindow() async throws {
        let gateway = makeGateway(history: try await sampleHistory())
        let from = HistorySample.start, to = HistorySample.start + 3_600_000
        try await gateway.application().test(.router) { client in
            let sma = try await client.send(.get, "/v1/history/AAPL/sma?from=\(from)&to=\(to)")
            #expect(sma.status == .ok)
            guard case .array(let windows)? = sma.data["windows"] else { Issue.record("no windows"); return }
            #expect(windows.map { $0["WINDOW_START"] } == [.number(String(from)), .number(String(from + 30_000))])
            // The first window's second record replaced its first.
            #expect(windows.first?["SMA"] == .number("160.5"))
            #expect(windows.first?["COUNT"] == .number("2"))
            let later = try await client.send(.get, "/v1/history/AAPL/profit?from=\(from + 1)&to=\(to)")
            guard case .array(let profits)? = later.data["windows"] else { Issue.record("no windows"); return }
            #expect(profits.map { $0["WINDOW_START"] } == [.number(String(from + 30_000))])
            #expect(profits.first?["PROFIT"] == .number("1"))
            let top = try await client.send(.get, "/v1/top-profit/history?from=\(from)&to=\(to)")
            guard case .array(let rankings)? = top.data["windows"] else { Issue.record("no windows"); return }
            #expect(rankings.count == 2)
            guard case .array(let ranking)? = rankings.last?["RANKING"] else { Issue.record("no ranking"); return }
            #expect(ranking.first?["STOCK_SYMBOL"] == .string("AAPL"))
            for uri in ["/v1/history/AAPL/sma?from=0&to=864000000", "/v1/top-profit/history?from=5", "/v1/history/AAPL/profit?to=5"] {
                let bad = try await client.send(.get, uri)
                #expect(bad.status == .badRequest, "\(uri)")
            }
            #expect(try await client.send(.get, "/v1/history/NOPE/sma?from=0&to=1000").status == .notFound)
        }
    }

    @Test func badParametersAre400sNamingThem() async throws {
        let gateway = makeGateway(history: try await sampleHistory())
        try await gateway.application().test(.router) { client in
            let cases: [(String, String)] = [
                ("/v1/history/AAPL?from=0&to=1000", "interval"),
                ("/v1/history/AAPL?interval=week&from=0&to=1000", "interval"),
                ("/v1/history/AAPL?interval=minute&to=1000", "from"),
                ("/v1/history/AAPL?interval=minute&from=abc&to=1000", "from"),
                ("/v1/history/AAPL?interval=minute&from=-5&to=1000", "from"),
                ("/v1/history/AAPL?interval=minute&from=0", "to"),
                ("/v1/history/AAPL?interval=minute&from=2000&to=1000", "to"),
                ("/v1/history/AAPL?interval=minute&from=0&to=864000000", "to"),
                ("/v1/history/AAPL/trades?limit=0", "limit"),
                ("/v1/history/AAPL/trades?limit=1001", "limit"),
                ("/v1/history/AAPL/trades?cursor=x", "cursor"),
                ("/v1/history/AAPL/trades?cursor=-1_5", "cursor"),
            ]
            for (uri, field) in cases {
                let response = try await client.send(.get, uri)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.json["field"] == .string(field), "\(uri): \(String(buffer: response.body))")
            }
            let tooLong = try await client.send(.get, "/v1/history/AAPL?interval=minute&from=0&to=864000000")
            guard case .string(let message)? = tooLong.json["message"] else { Issue.record("no message"); return }
            #expect(message.contains("7 days"))
            let unknown = try await client.send(.get, "/v1/history/NOPE?interval=minute&from=0&to=1000")
            #expect(unknown.status == .notFound)
        }
    }

    @Test func withoutAHistoryDatabaseTheRoutesAre503() async throws {
        let gateway = makeGateway()
        try await gateway.application().test(.router) { client in
            let response = try await client.send(.get, "/v1/history/AAPL?interval=minute&from=0&to=1000")
            #expect(response.status == .serviceUnavailable)
        }
    }
}
