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
            configuration: configuration, sma: selected.contains("sma"), profit: selected.contains("profit"))
        var lineNumber: Int64 = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            replay.process(line: Array(line.utf8), number: lineNumber)
            if replay.pendingOutputBytes >= 1 << 16 { writeAll(1, replay.takeOutput()) }
        }
        if closeAtEnd { replay.closeAll() }
        writeAll(1, replay.takeOutput())
        if replay.errorCount > 0 {
            writeAll(2, Array("exchange analytics: \(replay.errorCount) input line(s) could not be used (see the error lines)\n".utf8))
        }
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
