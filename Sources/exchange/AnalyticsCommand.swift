import ArgumentParser
import ExchangeRecords
import ExchangeStreams
import StreamAnalytics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `exchange analytics --stdio`: replays `matched_trades` records (newline-delimited JSON on stdin) through the
/// window analytics and writes the analytics records to stdout, for offline use and backtests.
///
/// Every output line is an envelope `{"topic":T,"key":K,"value":{…}}` with T one of `SMA_HOPPING_TABLE`,
/// `stock_profit`, `top_profit`, `dead_letters` (late trades; `source_offset` = input line number from 1). An input
/// line that cannot be used gives `{"error":"…","line":N}` and the run continues. Same input, same bytes out.
struct AnalyticsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Replays trades through the window analytics (newline-delimited JSON on stdin).",
        discussion: """
            Input: one matched_trades record per line (TICK records {"type":"TICK","timestamp":T} advance event \
            time). Output: {"topic":…,"key":…,"value":…} lines for SMA_HOPPING_TABLE, stock_profit, top_profit and \
            dead_letters (late trades), and {"error":…,"line":N} for unusable input lines.
            """
    )

    @Flag(help: "Read trades from stdin and write records to stdout (the only mode).")
    var stdio = false
    @Option(help: "Window size (10m, 600s, 600000 = ms).") var size = DurationArgument(milliseconds: 600_000)
    @Option(help: "Window advance; equal to size for tumbling windows.") var advance = DurationArgument(milliseconds: 300_000)
    @Option(help: "Grace period after a window's end during which late trades still count.")
    var grace = DurationArgument(milliseconds: AnalyticsConfiguration.defaultGrace)
    @Option(help: "changes: an update per trade and window; final: one result per window when it closes.")
    var emit: EmitChoice = .final
    @Option(help: "Comma-separated outputs: sma, profit, top.") var outputs = "sma,profit,top"
    @Flag(inversion: .prefixedNo, help: "At end of input, close every open window (FINAL results for all of them).")
    var closeAtEnd = true

    enum EmitChoice: String, ExpressibleByArgument, CaseIterable {
        case changes, final
    }

    func run() throws {
        guard stdio else { throw ValidationError("only --stdio mode exists: pipe matched_trades JSON lines in") }
        let selected = Set(outputs.split(separator: ",").map { String($0.filter { $0 != " " }) })
        let unknown = selected.subtracting(["sma", "profit", "top"])
        guard unknown.isEmpty, !selected.isEmpty else {
            throw ValidationError("--outputs takes sma, profit and/or top; got '\(outputs)'")
        }
        var wanted: AnalyticsOutputs = []
        if !selected.isDisjoint(with: ["sma", "profit"]) { wanted.insert(.symbolWindows) }
        if selected.contains("top") { wanted.insert(.topProfit) }
        let configuration: AnalyticsConfiguration
        do {
            configuration = try AnalyticsConfiguration(
                window: try WindowSpec(size: size.milliseconds, advance: advance.milliseconds),
                grace: grace.milliseconds, emitMode: emit == .final ? .final : .changes, outputs: wanted)
        } catch {
            throw ValidationError(error.description)
        }
        var replay = AnalyticsReplay(
            aggregator: WindowAggregator(configuration: configuration), sma: selected.contains("sma"),
            profit: selected.contains("profit"))
        var lineNumber: Int64 = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            replay.process(line: Array(line.utf8), number: lineNumber)
        }
        if closeAtEnd { replay.closeAll() }
        replay.flush()
        if replay.errors > 0 {
            writeAll(2, Array("exchange analytics: \(replay.errors) input line(s) could not be used (see the error lines)\n".utf8))
        }
    }
}

/// The replay loop's state: the aggregator and a buffered stdout writer.
struct AnalyticsReplay {
    var aggregator: WindowAggregator
    let sma: Bool
    let profit: Bool
    var out: [UInt8] = []
    var errors = 0
    /// The raw line of the trade being processed (for dead letters).
    var currentLine: [UInt8] = []
    var currentNumber: Int64 = 0

    init(aggregator: WindowAggregator, sma: Bool, profit: Bool) {
        self.aggregator = aggregator
        self.sma = sma
        self.profit = profit
        out.reserveCapacity(1 << 16)
    }

    mutating func process(line: [UInt8], number: Int64) {
        currentLine = line
        currentNumber = number
        do {
            switch try AnalyticsRecordMapping.decodeInput(json: line) {
            case .trade(let trade): _ = try aggregator.process(trade).map { write($0) }
            case .tick(let time): _ = try aggregator.tick(time).map { write($0) }
            }
        } catch let error as RecordDecodingError {
            writeError(error.description, line: number)
        } catch let error as AnalyticsError {
            writeError(error.description, line: number)
        } catch {
            writeError("\(error)", line: number)
        }
        if out.count >= 1 << 16 { flush() }
    }

    /// Moves stream time past every open window so all of them emit (FINAL); nothing new is emitted in CHANGES.
    mutating func closeAll() {
        guard let now = aggregator.streamTime else { return }
        let end = now + aggregator.configuration.window.size + aggregator.configuration.grace
        _ = (try? aggregator.tick(end))?.map { write($0) }
    }

    mutating func write(_ output: AnalyticsOutput) {
        switch output {
        case .symbolWindow(let result):
            if sma {
                let (key, value) = AnalyticsRecordMapping.smaRecord(result)
                envelope(TopicName.smaHoppingTable, key, value)
            }
            if profit {
                let (key, value) = AnalyticsRecordMapping.profitRecord(result)
                envelope(TopicName.stockProfit, key, value)
            }
        case .topProfit(let result):
            let (key, value) = AnalyticsRecordMapping.topProfitRecord(result)
            envelope(TopicName.topProfit, key, value)
        case .lateTrade(let late):
            let letter = AnalyticsRecordMapping.deadLetter(
                late, sourcePartition: 0, sourceOffset: currentNumber, rawPayload: currentLine, stage: "analytics")
            envelope(TopicName.deadLetters, late.trade.symbol, letter)
        }
    }

    mutating func envelope(_ topic: String, _ key: String, _ value: some JSONRecord) {
        out.append(contentsOf: "{\"topic\":".utf8)
        appendJSONString(topic)
        out.append(contentsOf: ",\"key\":".utf8)
        appendJSONString(key)
        out.append(contentsOf: ",\"value\":".utf8)
        value.encode(into: &out)
        out.append(contentsOf: "}\n".utf8)
    }

    mutating func writeError(_ message: String, line: Int64) {
        errors += 1
        out.append(contentsOf: "{\"error\":".utf8)
        appendJSONString("line \(line): \(message)")
        out.append(contentsOf: ",\"line\":\(line)}\n".utf8)
    }

    mutating func appendJSONString(_ text: String) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    mutating func flush() {
        writeAll(1, out)
        out.removeAll(keepingCapacity: true)
    }
}

/// Writes all bytes to a file descriptor, retrying short writes; stops quietly if the reader went away.
func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            let written = write(descriptor, base + offset, raw.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
