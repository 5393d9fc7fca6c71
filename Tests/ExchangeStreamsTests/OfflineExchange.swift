import ExchangeRecords
import ExchangeStreams
import MatchingEngine
import StreamAnalytics

/// The expected outputs of the streaming exchange, computed offline with the engine and analytics libraries alone
/// (no stages, no Kafka): per partition, the orders in log order through one engine; the analytics over the
/// resulting trades and ticks.
struct OfflineExchange {
    struct Input {
        var partition: Int32
        var order: IncomingOrder
    }

    /// identity → value, for each output topic.
    var trades: [String: [UInt8]] = [:]
    var reports: [String: [UInt8]] = [:]
    var sma: [String: [UInt8]] = [:]
    var profit: [String: [UInt8]] = [:]
    var top: [String: [UInt8]] = [:]

    init(inputs: [Input], partitions: Int, options: AnalyticsOptions) throws {
        var smaAggregators = try (0..<partitions).map { _ in WindowAggregator(configuration: try AnalyticsConfiguration(
            window: WindowSpec(size: options.windowSize, advance: options.advance), grace: options.grace, emitMode: options.emitMode,
            outputs: .symbolWindows)) }
        var topAggregator = WindowAggregator(configuration: try AnalyticsConfiguration(
            window: WindowSpec(size: options.windowSize, advance: options.advance), grace: options.grace, emitMode: .final,
            outputs: .topProfit))
        var topInputs: [(time: Int64, order: Int, input: AnalyticsRecordMapping.Input)] = []
        for p in 0..<partitions {
            let engine = Engine(instruments: InstrumentCatalog.seed, configuration: EngineConfiguration())
            var outSeq: Int64 = 0
            var reportSeq: Int64 = 0
            var events: [EngineEvent] = []
            for input in inputs where input.partition == Int32(p) {
                events.removeAll()
                let terms = EngineRecordMapping.process(input.order, engine: engine, into: &events)
                var analyticsInputs: [AnalyticsRecordMapping.Input] = []
                for event in events {
                    switch event {
                    case .trade(let trade):
                        outSeq += 1
                        let record = EngineRecordMapping.matchedTrade(trade, engine: engine, tradeId: "\(p)-\(trade.tradeNumber)", seq: outSeq)
                        trades["\(p)/\(outSeq)"] = record.encoded()
                        analyticsInputs.append(.trade(try AnalyticsRecordMapping.analyticsTrade(record)))
                    case .report(let report):
                        reportSeq += 1
                        let record = EngineRecordMapping.executionReport(
                            report, engine: engine, tradeId: report.lastTradeNumber.map { "\(p)-\($0)" }, seq: reportSeq, terms: terms)
                        reports["\(p)/\(reportSeq)"] = record.encoded()
                    }
                }
                if case .tick(let tick) = input.order {
                    outSeq += 1
                    analyticsInputs.append(.tick(tick.timestamp))
                }
                for analyticsInput in analyticsInputs {
                    let results: [AnalyticsOutput]
                    switch analyticsInput {
                    case .trade(let trade): results = try smaAggregators[p].process(trade)
                    case .tick(let time): results = try smaAggregators[p].tick(time)
                    }
                    for case .symbolWindow(let window) in results {
                        let s = AnalyticsRecordMapping.smaRecord(window)
                        sma["\(s.key)#\(window.count)"] = s.value.encoded()
                        let pr = AnalyticsRecordMapping.profitRecord(window)
                        profit["\(pr.key)#\(window.count)"] = pr.value.encoded()
                    }
                    let time: Int64
                    switch analyticsInput {
                    case .trade(let trade): time = trade.time
                    case .tick(let t): time = t
                    }
                    topInputs.append((time, topInputs.count, analyticsInput))
                }
            }
        }
        // Top over all partitions: inputs here are in time order across partitions, so nothing is late and the
        // single aggregator's rankings equal the merged per-partition ones.
        for entry in topInputs.sorted(by: { ($0.time, $0.order) < ($1.time, $1.order) }) {
            let results: [AnalyticsOutput]
            switch entry.input {
            case .trade(let trade): results = try topAggregator.process(trade)
            case .tick(let time): results = try topAggregator.tick(time)
            }
            for case .topProfit(let ranking) in results {
                let record = AnalyticsRecordMapping.topProfitRecord(ranking)
                top[record.key] = record.value.encoded()
            }
        }
    }
}

/// Identity of pipeline outputs, matching `OfflineExchange`'s keys.
enum Identity {
    static func trade(_ r: InputRecord) -> String {
        "\(r.partition)/\((try? MatchedTrade.decode(json: r.value ?? [])).map { "\($0.seq)" } ?? "?")"
    }

    static func report(_ r: InputRecord) -> String {
        "\(r.partition)/\((try? ExchangeRecords.ExecutionReport.decode(json: r.value ?? [])).map { "\($0.seq)" } ?? "?")"
    }

    static func sma(_ r: InputRecord) -> String {
        "\(String(decoding: r.key ?? [], as: UTF8.self))#\((try? SimpleMovingAverage.decode(json: r.value ?? [])).map { "\($0.count)" } ?? "?")"
    }

    static func profit(_ r: InputRecord) -> String {
        "\(String(decoding: r.key ?? [], as: UTF8.self))#\((try? StockProfit.decode(json: r.value ?? [])).map { "\($0.trades)" } ?? "?")"
    }

    static func key(_ r: InputRecord) -> String { String(decoding: r.key ?? [], as: UTF8.self) }
}
