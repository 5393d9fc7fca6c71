import ArgumentParser
import ExchangeRecords
import ExchangeStreams

struct ClockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clock", abstract: "Writes tick records into idle partitions of incoming_orders so event time keeps moving.")

    @OptionGroup var stream: StreamOptions

    @Option(help: "A partition idle this long (ms) gets a tick.")
    var tickIntervalMs: Int = 1_000

    func run() async throws {
        let settings = try stream.stageSettings()
        try stream.startMetrics()
        try await Topology.create(settings: settings)
        try await runServices([ClockService(settings: settings, intervalMilliseconds: tickIntervalMs)], label: "exchange.clock")
    }
}
