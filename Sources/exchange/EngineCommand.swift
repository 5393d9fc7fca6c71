import ArgumentParser
import ExchangeStreams
import Foundation
import Gateway

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MatchingEngine

/// `exchange engine --stdio`: the offline replay and backtesting tool. Reads `incoming_orders` records (plus
/// `{"type":"SNAPSHOT","stock_symbol":…}`) as newline-delimited JSON on stdin, writes one JSON line per input
/// line, flushed per line (format: `EngineReplay`). Bad lines get an error line and the run continues.
struct EngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Replays order commands through the matching engine (newline-delimited JSON on stdin).",
        discussion: """
            Each output line is {"line":N,"events":[{"topic":"execution_reports"|"matched_trades","key":…,"value":…},…]}, \
            {"line":N,"snapshot":{…}} for a {"type":"SNAPSHOT","stock_symbol":"AAPL"} request (L3 book), or \
            {"line":N,"error":"…"}. Ticks ({"type":"TICK","timestamp":T}) advance event time (DAY/TTL/GTD expiry). \
            A line may start with a Kafka record timestamp and a tab (kcat -f '%T\\t%s\\n'), used when the record has no timestamp.
            """)

    @Flag(help: "Read commands from stdin and write results to stdout (the only mode).")
    var stdio = false

    @Option(help: "Instruments file (JSON array as config/instruments.json); default: the built-in seed catalogue.")
    var instruments: String?

    @Option(help: "Self-trade prevention: none, cancel-resting, cancel-incoming, cancel-both.")
    var selfTradePrevention = "cancel-incoming"

    @Option(help: "Session close for DAY orders, HH:MM in UTC.")
    var sessionClose = "21:00"

    @OptionGroup var split: SplitOptions

    func run() throws {
        guard stdio else { throw ValidationError("only --stdio mode exists: pipe incoming_orders JSON lines in") }
        let policies: [String: SelfTradePrevention] = [
            "none": .none, "cancel-resting": .cancelResting, "cancel-incoming": .cancelIncoming, "cancel-both": .cancelBoth,
        ]
        guard let policy = policies[selfTradePrevention] else {
            throw ValidationError("--self-trade-prevention must be one of none, cancel-resting, cancel-incoming, cancel-both")
        }
        let parts = sessionClose.split(separator: ":")
        guard parts.count == 2, let hours = Int64(parts[0]), let minutes = Int64(parts[1]), (0..<24).contains(hours),
            (0..<60).contains(minutes)
        else { throw ValidationError("--session-close must be HH:MM (UTC), got '\(sessionClose)'") }
        var catalogue = InstrumentCatalog.seed
        if let path = instruments {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read instruments file \(path)")
            }
            do { catalogue = try InstrumentFile.decode(Array(data)) } catch {
                throw ValidationError("\(path): \(error.description)")
            }
        }
        let engine = Engine(
            instruments: catalogue,
            configuration: EngineConfiguration(selfTradePrevention: policy, sessionCloseMillisOfDay: (hours * 60 + minutes) * 60_000))
        var replay = EngineReplay(engine: engine, dateTimeValidity: split.dateTimeTimeInForce)
        // Raw bytes (not readLine's repaired String), so invalid UTF-8 is reported, not silently replaced.
        guard let input = fdopen(0, "r") else { throw ValidationError("cannot read standard input") }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while true {
            let length = getline(&buffer, &capacity, input)
            guard length >= 0, let buffer else { break }
            var count = length
            if count > 0 && buffer[count - 1] == 0x0a { count -= 1 }
            let line = UnsafeRawBufferPointer(start: buffer, count: count)
            var out = replay.process(line: Array(line))
            out.append(0x0a)
            FileHandle.standardOutput.write(Data(out))
        }
    }
}
