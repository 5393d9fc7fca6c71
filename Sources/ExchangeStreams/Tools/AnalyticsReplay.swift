import ExchangeRecords
import StreamAnalytics

/// Offline replay of `matched_trades` lines through the window analytics (`exchange analytics --stdio`).
///
/// Each output line is an envelope `{"topic":T,"key":K,"value":{…}}` with T one of `SMA_HOPPING_TABLE`,
/// `stock_profit`, `top_profit` or `dead_letters` (late trades; `source_partition` 0, `source_offset` = the input
/// line number, from 1). A line that cannot be used gives `{"error":"line N: …","line":N}` and the replay goes on.
/// Deterministic: the same lines give the same bytes.
public struct AnalyticsReplay: Sendable {
    public private(set) var aggregator: WindowAggregator
    let sma: Bool
    let profit: Bool
    var out: [UInt8] = []
    /// Input lines that could not be used so far.
    public private(set) var errorCount = 0
    // The line being processed, for dead letters.
    var currentLine: [UInt8] = []
    var currentNumber: Int64 = 0

    /// `sma`/`profit` select the per-symbol records; `top_profit` is written when the configuration's outputs
    /// include `.topProfit`.
    public init(configuration: AnalyticsConfiguration, sma: Bool, profit: Bool) {
        aggregator = WindowAggregator(configuration: configuration)
        self.sma = sma
        self.profit = profit
        out.reserveCapacity(1 << 16)
    }

    /// Processes one input line (without its newline); blank lines are skipped.
    public mutating func process(line: [UInt8], number: Int64) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        currentLine = line
        currentNumber = number
        do {
            switch try AnalyticsRecordMapping.decodeInput(json: line) {
            case .trade(let trade): for output in try aggregator.process(trade) { write(output) }
            case .tick(let time): for output in try aggregator.tick(time) { write(output) }
            }
        } catch let error as RecordDecodingError {
            writeError(error.description, line: number)
        } catch let error as AnalyticsError {
            writeError(error.description, line: number)
        } catch {
            writeError("\(error)", line: number)
        }
    }

    /// Moves stream time past every open window so that all of them emit (FINAL); CHANGES emits nothing more.
    public mutating func closeAll() {
        guard let now = aggregator.streamTime else { return }
        let configuration = aggregator.configuration
        let end = min(now + configuration.window.size + configuration.grace, WindowAggregator.maximumTimestamp)
        for output in (try? aggregator.tick(end)) ?? [] { write(output) }
    }

    /// Returns the output written so far and clears it.
    public mutating func takeOutput() -> [UInt8] {
        defer { out.removeAll(keepingCapacity: true) }
        return out
    }

    /// Bytes of output waiting to be taken.
    public var pendingOutputBytes: Int { out.count }

    mutating func write(_ output: AnalyticsOutput) {
        switch output {
        case .symbolWindow(let result):
            if sma {
                let (key, value) = AnalyticsRecordMapping.smaRecord(result)
                envelope(Topology.smaHoppingTable.name, key, value)
            }
            if profit {
                let (key, value) = AnalyticsRecordMapping.profitRecord(result)
                envelope(Topology.stockProfit.name, key, value)
            }
        case .topProfit(let result):
            let (key, value) = AnalyticsRecordMapping.topProfitRecord(result)
            envelope(Topology.topProfit.name, key, value)
        case .lateTrade(let late):
            let letter = AnalyticsRecordMapping.deadLetter(
                late, sourcePartition: 0, sourceOffset: currentNumber, rawPayload: currentLine, stage: "analytics")
            envelope(Topology.deadLetters.name, late.trade.symbol, letter)
        }
    }

    mutating func envelope(_ topic: String, _ key: String, _ value: some JSONRecord) {
        out.append(contentsOf: "{\"topic\":".utf8)
        out.appendJSONString(topic)
        out.append(contentsOf: ",\"key\":".utf8)
        out.appendJSONString(key)
        out.append(contentsOf: ",\"value\":".utf8)
        value.encode(into: &out)
        out.append(contentsOf: "}\n".utf8)
    }

    mutating func writeError(_ message: String, line: Int64) {
        errorCount += 1
        out.append(contentsOf: "{\"error\":".utf8)
        out.appendJSONString("line \(line): \(message)")
        out.append(contentsOf: ",\"line\":\(line)}\n".utf8)
    }
}
