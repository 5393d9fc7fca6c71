import ExchangeRecords
import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// Prints trades and analytics as they appear, one readable line each, for `exchange run`.
///
/// Reads with its own throwaway group from the latest offsets. EMIT CHANGES analytics update on every trade, so
/// SMA and profit lines are shown at most every `analyticsEverySeconds` per key; every trade and every top-profit
/// ranking is shown.
public struct ConsolePrinter: Service {
    public let settings: StreamsSettings
    public let analyticsEverySeconds: Double
    public let write: @Sendable (String) -> Void

    public init(settings: StreamsSettings, analyticsEverySeconds: Double = 5, write: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.settings = settings
        self.analyticsEverySeconds = analyticsEverySeconds
        self.write = write
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await runUntilCancelled() }
    }

    public func runUntilCancelled() async throws {
        var configuration = settings.consumerConfiguration
        configuration.groupId = "exchange-console-\(UUID().uuidString.prefix(8))"
        configuration.autoOffsetReset = .latest
        configuration.enableAutoCommit = false
        let consumer = try await KafkaConsumer(configuration: configuration)
        try consumer.subscribe(topics: [Topology.matchedTrades.name, Topology.smaHoppingTable.name, Topology.stockProfit.name, Topology.topProfit.name])
        var lastShown: [String: Date] = [:]
        do {
            for try await event in consumer.events {
                guard case .messages(let batch) = event else { continue }
                for message in batch {
                    guard let value = message.value else { continue }
                    let key = message.keyString ?? ""
                    if message.topic != Topology.matchedTrades.name && message.topic != Topology.topProfit.name {
                        let id = message.topic + key
                        if let last = lastShown[id], Date().timeIntervalSince(last) < analyticsEverySeconds { continue }
                        lastShown[id] = Date()
                    }
                    if let line = Self.line(topic: message.topic, value: value) { write(line) }
                }
            }
        } catch {
            await consumer.close()
            if error is CancellationError || Task.isCancelled { return }
            throw error
        }
        await consumer.close()
    }

    static func time(_ ms: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

    /// One console line for a record of the printed topics (nil if it does not decode).
    public static func line(topic: String, value: ArraySlice<UInt8>) -> String? {
        switch topic {
        case Topology.matchedTrades.name:
            guard let t = try? MatchedTrade.decode(json: value) else { return nil }
            return "TRADE  \(pad(t.buyStockSymbol, 5)) \(pad("\(t.quantity)", 4)) @ \(pad(t.price.description, 9)) "
                + "buy \(t.buyOrderId) (\(t.buyTraderId ?? "unattributed"))  sell \(t.sellOrderId) (\(t.sellTraderId ?? "unattributed"))  aggressor \(t.aggressorSide.rawValue)  #\(t.tradeId)"
        case Topology.smaHoppingTable.name:
            guard let s = try? SimpleMovingAverage.decode(json: value) else { return nil }
            return "SMA    \(pad(s.stockSymbol, 5)) [\(time(s.windowStart))–\(time(s.windowEnd))) sma \(s.sma) vwap \(s.vwap) trades \(s.count)"
        case Topology.stockProfit.name:
            guard let p = try? StockProfit.decode(json: value) else { return nil }
            return "PROFIT \(pad(p.stockSymbol, 5)) [\(time(p.windowStart))–\(time(p.windowEnd))) open \(p.open) close \(p.close) "
                + "profit \(p.profit) (\(p.profitPct)%) high \(p.high) low \(p.low) volume \(p.volume)"
        case Topology.topProfit.name:
            guard let t = try? TopProfit.decode(json: value) else { return nil }
            let ranking = t.ranking.map { "\($0.stockSymbol) \($0.profit)" }.joined(separator: ", ")
            return "TOP    [\(time(t.windowStart))–\(time(t.windowEnd))) leader \(t.stockSymbol) profit \(t.profit) (\(t.profitPct)%)  ranking: \(ranking)"
        default:
            return nil
        }
    }
}
